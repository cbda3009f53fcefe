"""The text language check on the bundled English/Spanish AED model: the Spanish test set (rows
saying `lang: es`) run with the English prompt forced comes out in English (the model follows
its prompt and translates); those rows get `language_mismatch` and the summary counts them; the
matching prompt gives none."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from asr_registry.engine.language_check import detect_language, expected_language, language_of_tokens, mismatch
from asr_registry.engine.prompts import PromptOptions
from tests.engine.helpers import DIGITS_DATA
from tests.support import cli_env, invoke_cli

COUNT = 12


def _plain(split: str, folder: Path) -> Path:
    """Rows without source_lang/target_lang, so that --language decides the prompt; `lang` says the audio's."""
    source = DIGITS_DATA / split / "manifest.jsonl"
    rows = []
    for line in source.read_text(encoding="utf-8").splitlines()[:COUNT]:
        row = {k: v for k, v in json.loads(line).items() if k not in ("source_lang", "target_lang")}
        row["audio_filepath"] = str(source.parent / row["audio_filepath"])
        row["lang"] = "es" if split == "test_es" else "en"
        rows.append(row)
    path = folder / f"{split}.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _run(manifest: Path, out: Path, *options: str) -> tuple[list[dict], dict]:
    done = invoke_cli(
        "transcribe",
        str(manifest),
        "--model",
        "digits_aed",
        *options,
        "--out",
        str(out),
        "--no-progress",
        "--json",
        env=cli_env(ASR_REGISTRY_LOAD_PLUGINS="digits"),
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in out.read_text().splitlines()], json.loads(done.stdout)


@pytest.mark.slow
def test_spanish_audio_with_the_english_prompt_is_flagged_and_counted(tmp_path: Path) -> None:
    rows, summary = _run(_plain("test_es", tmp_path), tmp_path / "es-as-en.jsonl", "--language", "en")
    flagged = [r for r in rows if "language_mismatch" in r]
    assert len(flagged) >= COUNT - 2, [r["pred_text"] for r in rows]
    for row in flagged:
        assert row["language_mismatch"] == {"expected": "es", "detected": "en"}
        assert detect_language(row["pred_text"], ["en", "es"]) == "en"
    counted = summary.get("run", summary)["language_mismatches"]
    assert counted == len(flagged)


@pytest.mark.slow
def test_a_matching_prompt_flags_nothing(tmp_path: Path) -> None:
    rows, summary = _run(_plain("test_es", tmp_path), tmp_path / "es.jsonl", "--language", "es")
    assert not [r for r in rows if "language_mismatch" in r]
    assert summary.get("run", summary)["language_mismatches"] == 0


def test_expected_language_comes_from_the_row_then_the_run() -> None:
    run = PromptOptions(language="en")
    assert expected_language({"source_lang": "es-ES"}, run) == "es"
    assert expected_language({"lang": "de", "target_lang": "fr"}, run) == "fr"  # the transcript's language
    assert expected_language({}, run) == "en"
    assert expected_language({}, PromptOptions(language="auto")) is None


def test_only_multilingual_models_and_long_enough_text_are_checked() -> None:
    assert mismatch("uno dos tres", "en", ["en", "es"]) == {"expected": "en", "detected": "es"}
    assert mismatch("one two three", "en", ["en", "es"]) is None
    assert mismatch("uno dos tres", "en", ["en"]) is None  # a one-language model: nothing to confuse
    assert mismatch("no", "en", ["en", "es"]) is None  # too short to tell
    assert language_of_tokens(["es", "es", "en"]) == "es" and language_of_tokens(None) is None
