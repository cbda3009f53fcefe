"""ROVER across model families: a TDT, a hybrid (RNNT head) and a prompted multitask AED member,
in `transcribe --ensemble` and in `bench --ensemble`, on the bundled digits models."""

from __future__ import annotations

import json
from pathlib import Path

import jiwer
import pytest

from tests.support import cli_env, invoke_cli

pytestmark = pytest.mark.slow

MEMBERS = ("digits_tdt", "digits_hybrid", "digits_aed")
ENGLISH = {"zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "point", "double"}


def _digits() -> Path:
    import asr_registry_digits

    return Path(asr_registry_digits.__file__).parent / "data"


def test_rover_over_tdt_hybrid_and_aed_members(tmp_path: Path) -> None:
    source = _digits() / "test" / "manifest.jsonl"
    manifest = tmp_path / "head.jsonl"
    rows = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines()[:40]]
    manifest.write_text(
        "".join(json.dumps(dict(r, audio_filepath=str(source.parent / r["audio_filepath"]))) + "\n" for r in rows),
        encoding="utf-8",
    )
    out = tmp_path / "rover.jsonl"
    # --language is the AED member's prompt (source_lang); the other members take audio alone.
    done = invoke_cli(
        "transcribe",
        str(manifest),
        "--ensemble",
        ",".join(MEMBERS),
        "--language",
        "en",
        "--out",
        str(out),
        "--no-progress",
        env=cli_env(ASR_REGISTRY_LOAD_PLUGINS="digits"),
    )
    assert done.returncode == 0, done.stderr
    got = [json.loads(line) for line in out.read_text().splitlines()]
    refs = [r["text"] for r in got]
    member_wer = {m: jiwer.wer(refs, [r[f"pred_text_{m}"] or "" for r in got]) for m in MEMBERS}
    combined = jiwer.wer(refs, [r["pred_text"] or "" for r in got])
    # A three-way vote is never worse than its worst member, and here each member contributes.
    assert combined <= max(member_wer.values()), (combined, member_wer)
    assert all(r["skipped"] is None for r in got if "skipped" in r)
    aed_words = {w for r in got for w in (r["pred_text_digits_aed"] or "").split()}
    assert aed_words and aed_words <= ENGLISH  # the AED member was prompted for English output
    summary = dict(line.split(maxsplit=1) for line in done.stdout.splitlines() if line[:1].isalpha())
    assert summary["members"] == "digits_tdt (tdt), digits_hybrid (rnnt), digits_aed (aed)"


def test_bench_ensemble_across_families_scores_every_member_and_the_vote() -> None:
    result = invoke_cli(
        "bench",
        "--ensemble",
        ",".join(MEMBERS),
        "--rounds",
        "1",
        "--json",
        env=cli_env(ASR_REGISTRY_LOAD_PLUGINS="digits"),
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    runs = report["runs"]
    assert [run["name"] for run in runs][:3] == list(MEMBERS) and runs[3]["name"].startswith("ensemble:rover")
    measured = [run["measurement"] for run in runs]
    assert all(m["dataset"] == "digits" and m["split"] == "test" for m in measured)
    assert [m["decoder"] for m in measured[:3]] == ["tdt", "rnnt", "aed"]
    assert measured[3]["wer"] <= max(m["wer"] for m in measured[:3])
