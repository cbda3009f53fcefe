"""Every family on its own code path, on the digits plugin's real tiny models: the engine's output equals NeMo's
own `transcribe()` for the same model, audio and prompt (TDT with durations, the multitask AED with its prompt).

The CTC and hybrid paths are checked the same way in test_engine_library.py.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from asr_registry.catalog.schema import ModelEntry
from asr_registry.engine import Engine, EngineOptions
from asr_registry.engine.prompts import PromptOptions
from asr_registry.plugins.manager import get_catalog
from tests.engine.helpers import DIGITS_DATA, wer
from tests.support import cli_env, invoke_cli

pytestmark = pytest.mark.slow

SAMPLE = 24  # files per agreement check
SPANISH = {"cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve", "punto", "doble"}
ENGLISH = {"zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "point", "double"}


def _rows(split: str, count: int = SAMPLE) -> list[dict[str, Any]]:
    manifest = DIGITS_DATA / split / "manifest.jsonl"
    rows = [json.loads(line) for line in manifest.read_text(encoding="utf-8").splitlines()[:count]]
    for row in rows:
        row["audio_filepath"] = str(manifest.parent / row["audio_filepath"])
    return rows


def _entry(name: str) -> ModelEntry:
    return get_catalog().find(name)


def _nemo(entry: ModelEntry) -> Any:
    from nemo.collections.asr.models import ASRModel

    from asr_registry.engine.loading import local_path

    return ASRModel.restore_from(str(local_path(entry)), map_location="cpu")


def _texts(hyps: Sequence[Any]) -> list[str]:
    return [(h if isinstance(h, str) else h.text).strip() for h in hyps]


def _agree(ours: list[str], theirs: list[str]) -> None:
    same = sum(a == b for a, b in zip(ours, theirs, strict=True)) / len(ours)
    # Batches are composed differently (sorted by length vs input order), so padding differs:
    # float noise may flip a rare token, nothing more.
    assert same >= 0.95, list(zip(ours, theirs, strict=True))


@pytest.fixture(scope="module")
def aed() -> tuple[ModelEntry, Any]:
    entry = _entry("digits_aed")
    return entry, _nemo(entry)


def test_tdt_runs_nemo_tdt_decoding_and_agrees_with_transcribe() -> None:
    entry = _entry("digits_tdt")
    assert entry.family == "tdt" and entry.decoders == ("tdt",)
    rows = _rows("test")
    paths = [r["audio_filepath"] for r in rows]
    engine = Engine(entry, EngineOptions(device="cpu", batch_size=8))
    ours = [r.text or "" for r in engine.transcribe(paths)]
    model = engine.model
    # The real TDT path: durations in the joint and NeMo's TDT decoder selected by the model's config.
    assert engine.runner.family == "tdt" and model.joint.num_extra_outputs == 5
    assert list(model.cfg.decoding.durations) == [0, 1, 2, 3, 4] and model.cfg.decoding.model_type == "tdt"
    theirs = _texts(_nemo(entry).transcribe(paths, batch_size=8, verbose=False))
    _agree(ours, theirs)
    assert wer([r["text"] for r in rows], ours) < 0.5


@pytest.mark.parametrize(
    ("split", "source", "target"), [("test", "en", "en"), ("test_es", "es", "es"), ("test", "en", "es")]
)
def test_aed_with_a_prompt_agrees_with_transcribe_given_the_same_prompt(
    aed: tuple[ModelEntry, Any], split: str, source: str, target: str
) -> None:
    entry, model = aed
    paths = [r["audio_filepath"] for r in _rows(split)]
    task = "asr" if source == target else "ast"
    options = EngineOptions(device="cpu", batch_size=8, prompt=PromptOptions(language=source, target_language=target))
    engine = Engine(entry, options, model=model)
    ours = [r.text or "" for r in engine.transcribe(paths)]
    assert engine.runner.family == "aed"
    # NeMo reads `taskname` (not `task`) when it builds each item's prompt from a list of paths.
    theirs = _texts(
        model.transcribe(
            paths, batch_size=8, verbose=False, source_lang=source, target_lang=target, taskname=task, pnc="yes"
        )
    )
    _agree(ours, theirs)
    words = {w for text in ours for w in text.split()}
    # The prompt reached the decoder: the output is in the target language.
    assert words and len(words & (SPANISH if target == "es" else ENGLISH)) >= 0.8 * len(words), words


def test_aed_takes_each_rows_own_prompt_fields(aed: tuple[ModelEntry, Any], tmp_path: Path) -> None:
    entry, model = aed
    english, spanish = _rows("test", 6), _rows("test_es", 6)
    # NeMo's multitask manifest fields; NeMo itself would fill missing ones with English.
    fields = {"taskname": "asr", "pnc": "yes"}
    rows = [dict(r, source_lang="en", target_lang="en", **fields) for r in english]
    rows += [dict(r, source_lang="es", target_lang="es", **fields) for r in spanish]
    rows[0]["target_lang"], rows[0]["taskname"] = "es", "ast"  # one row asks for a translation
    manifest = tmp_path / "mixed.jsonl"
    manifest.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    engine = Engine(entry, EngineOptions(device="cpu", batch_size=4), model=model)
    from asr_registry.engine.manifest import read_manifest

    ours = [r.text for r in engine.transcribe(read_manifest(manifest))]
    theirs = _texts(model.transcribe(str(manifest), batch_size=4, verbose=False))  # NeMo reads the same fields
    _agree([t or "" for t in ours], theirs)
    assert set(ours[0].split()) <= SPANISH
    assert set(" ".join(t or "" for t in ours[1:6]).split()) <= ENGLISH
    assert set(" ".join(t or "" for t in ours[6:]).split()) <= SPANISH


def _plain_manifest(split: str, folder: Path, count: int = SAMPLE) -> Path:
    """A copy of a test manifest (absolute audio paths) without any prompt field."""
    rows = [{k: v for k, v in r.items() if k not in ("source_lang", "target_lang")} for r in _rows(split, count)]
    path = folder / f"{split}.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_cli_language_and_task_reach_the_aed_prompt(tmp_path: Path) -> None:
    env = cli_env(ASR_REGISTRY_LOAD_PLUGINS="digits")
    spanish, english = _plain_manifest("test_es", tmp_path, 1000), _plain_manifest("test", tmp_path)
    runs = {
        "es": (spanish, ["--language", "es"]),
        "en-es": (english, ["--language", "en", "--task", "ast", "--target-language", "es"]),
        "en": (english, ["--language", "en", "--pnc", "no"]),
    }
    for name, (manifest, options) in runs.items():
        out = tmp_path / f"{name}.jsonl"
        done = invoke_cli(
            "transcribe", str(manifest), "--model", "digits_aed", *options, "--out", str(out), "--no-progress", env=env
        )
        assert done.returncode == 0, done.stderr
        rows = [json.loads(line) for line in out.read_text().splitlines()]
        words = {w for r in rows for w in (r["pred_text"] or "").split()}
        expected = ENGLISH if name == "en" else SPANISH
        assert words and len(words & expected) >= 0.8 * len(words), (name, words)
        if name == "es":
            # The whole Spanish set with the prompt the build measured its claim with: the same WER.
            claim = next(c for c in _entry("digits_aed").claims if c.metric == "wer" and c.dataset == "digits-es")
            measured = 100 * wer([r["text"] for r in rows], [r["pred_text"] or "" for r in rows])
            assert abs(measured - claim.low) <= 2.0, (measured, claim)


@pytest.mark.parametrize(
    ("model", "options", "message"),
    [
        ("digits_aed", [], "needs the spoken language (en, es): pass --language or give every row a source_lang"),
        ("digits_aed", ["--language", "fr"], "--language fr: model digits_aed knows en, es"),
        ("digits_aed", ["--language", "en", "--task", "asr", "--target-language", "es"], "task asr"),
        ("digits_tdt", ["--task", "ast", "--target-language", "es"], "model digits_tdt does not translate"),
    ],
)
def test_prompt_errors_are_one_line_before_loading(
    tmp_path: Path, model: str, options: list[str], message: str
) -> None:
    manifest = _plain_manifest("test", tmp_path, 4)
    result = invoke_cli(
        "transcribe",
        str(manifest),
        "--model",
        model,
        *options,
        "--out",
        str(tmp_path / "o.jsonl"),
        env=cli_env(ASR_REGISTRY_LOAD_PLUGINS="digits"),
    )
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_a_declared_family_the_loaded_model_is_not_is_refused_before_transcribing(tmp_path: Path) -> None:
    from dataclasses import replace

    from asr_registry.engine.families import FamilyMismatchError
    from asr_registry.errors import RegistryError

    entry = replace(_entry("digits_ctc"), family="aed")
    engine = Engine(entry, EngineOptions(device="cpu", batch_size=4))
    never_read = tmp_path / "missing.wav"  # a transcribing loop would skip it, not raise
    with pytest.raises(FamilyMismatchError) as refused:
        engine.transcribe([never_read])
    message = str(refused.value)
    assert isinstance(refused.value, RegistryError) and "\n" not in message
    assert "digits_ctc" in message and "declares family 'aed'" in message and "a ctc model" in message


def test_an_entry_without_a_family_takes_the_loaded_models(tmp_path: Path) -> None:
    """A local `.nemo` the catalog does not list (the Curator integrations' `model=PATH`) runs as what it is."""
    from dataclasses import replace

    from asr_registry.engine.families import HybridRunner

    entry = replace(_entry("digits_hybrid"), family="")
    paths = [r["audio_filepath"] for r in _rows("test", 4)]
    engine = Engine(entry, EngineOptions(device="cpu", batch_size=4))
    ours = [r.text for r in engine.transcribe(paths)]
    assert isinstance(engine.runner, HybridRunner)  # on its default (RNNT) head, as the catalog entry runs it
    declared = Engine(_entry("digits_hybrid"), EngineOptions(device="cpu", batch_size=4), model=engine.model)
    assert ours == [r.text for r in declared.transcribe(paths)]
