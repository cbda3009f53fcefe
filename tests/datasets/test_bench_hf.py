"""`bench` and `transcribe` on saved `datasets` datasets agree with the same audio through a manifest.

Real models (the digits plugin's), real subprocess CLI runs. RTFx is only checked to be reported:
timings differ from run to run.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.datasets.conftest import Built, save
from tests.support import cli_env, invoke_cli

pytestmark = pytest.mark.slow
ENV = cli_env(ASR_REGISTRY_LOAD_PLUGINS="digits")


def bench_json(*args: str) -> dict:
    result = invoke_cli("bench", "digits_ctc", "--rounds", "1", "--resamples", "200", "--json", *args, env=ENV)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def scored(report: dict) -> tuple:
    (run,) = report["runs"]
    m = run["measurement"]
    return m["dataset"], m["split"], m["wer"], m["wer_ci"], run["utterances"], run["skipped"], run["normalizer"]


def test_bench_on_a_saved_dataset_equals_the_manifest_and_its_claim_passes(digits16: Built) -> None:
    via_manifest = bench_json()  # the registered digits:test set: digits16's audio and references
    via_dataset = bench_json("--hf-dataset", str(digits16.folder), "--dataset", "digits:test")
    assert scored(via_dataset) == scored(via_manifest)
    assert scored(via_dataset)[:2] == ("digits", "test") and scored(via_dataset)[4] == 180
    (run,) = via_dataset["runs"]
    assert run["measurement"]["rtfx"] > 0
    wer = [v for v in run["verdicts"] if v["claim"]["metric"] == "wer"]
    assert [v["status"] for v in wer] == ["PASS"]


def test_bench_at_8_khz_equals_the_manifest(digits8: Built) -> None:
    via_manifest = bench_json("--manifest", str(digits8.manifest), "--dataset", "digits8k:test")
    via_dataset = bench_json("--hf-dataset", str(digits8.folder), "--dataset", "digits8k:test")
    assert scored(via_dataset) == scored(via_manifest)
    assert scored(via_dataset)[4] == len(digits8.rows)


def test_transcribe_keeps_the_id_column_and_skips_a_corrupt_row(digits8: Built, tmp_path: Path) -> None:
    # the 8 kHz rows plus one whose file is not audio
    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"RIFF not really a wav")
    rows = digits8.rows
    save(
        tmp_path / "with-bad",
        [Path(r["audio_filepath"]).stem for r in rows] + ["broken"],
        [str(digits8.manifest.parent / r["audio_filepath"]) for r in rows] + [str(bad)],
        [r["text"] for r in rows] + ["one"],
    )
    out_dataset, out_manifest = tmp_path / "hf.jsonl", tmp_path / "manifest.jsonl"
    done = invoke_cli(
        "transcribe",
        "--model",
        "digits_ctc",
        "--hf-dataset",
        str(tmp_path / "with-bad"),
        "--out",
        str(out_dataset),
        "--no-progress",
        env=ENV,
    )
    assert done.returncode == 0, done.stderr
    assert (
        invoke_cli(
            "transcribe",
            str(digits8.manifest),
            "--model",
            "digits_ctc",
            "--out",
            str(out_manifest),
            "--no-progress",
            env=ENV,
        ).returncode
        == 0
    )
    from_dataset = [json.loads(line) for line in out_dataset.read_text().splitlines()]
    from_manifest = [json.loads(line) for line in out_manifest.read_text().splitlines()]
    assert [r["pred_text"] for r in from_dataset[:-1]] == [r["pred_text"] for r in from_manifest]
    assert [r["id"] for r in from_dataset[:-1]] == [Path(r["audio_filepath"]).stem for r in digits8.rows]
    assert [r["hf_index"] for r in from_dataset] == list(range(len(digits8.rows) + 1))
    broken = from_dataset[-1]
    assert broken["id"] == "broken" and broken["pred_text"] is None and "unreadable audio" in broken["skipped"]
    assert not (tmp_path / "hf.jsonl.hf").exists()  # the written-out rows are removed at the end
