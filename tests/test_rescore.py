"""Rescoring saved predictions without a model: the leaderboard's WER, per-utterance rows, verdicts, no torch."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from asr_registry.bench.rescore import read_predictions, rescore
from asr_registry.cli import cli
from asr_registry.errors import RegistryError
from asr_registry.metrics.scoring import scoring_version
from tests.metrics import oal_reference

SAMPLE = json.loads(oal_reference.SAMPLE.read_text(encoding="utf-8"))


def _saved(tmp_path: Path, pairs: list[list[str]], ref: str = "text", pred: str = "pred_text") -> Path:
    path = tmp_path / "saved.jsonl"
    rows = [{"audio_filepath": f"a{i}.wav", "duration": 1.5, ref: r, pred: h} for i, (r, h) in enumerate(pairs)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_bench_predictions_gives_the_leaderboards_wer_and_writes_samples(tmp_path: Path) -> None:
    pairs = SAMPLE["pairs"]
    saved, samples = _saved(tmp_path, pairs), tmp_path / "out.jsonl"
    args = ["bench", "--predictions", str(saved), "--normalizer", "oal-2026-06", "--log-samples", str(samples)]
    result = CliRunner().invoke(cli, [*args, "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    # the leaderboard's own score_results on these rows, per row (committed by tests/metrics/oal_reference.py)
    theirs = SAMPLE["versions"]["oal-2026-06"]["counts"]
    assert [summary[k] for k in ("substitutions", "deletions", "insertions")] == [
        sum(c[i] for c in theirs) for i in range(3)
    ]
    assert summary["scoring"] == "oal-2026-06" and "d1e99b2" in summary["scoring_source"]
    rows = [json.loads(line) for line in samples.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == len(pairs) == summary["utterances"]
    assert [[r["substitutions"], r["deletions"], r["insertions"]] for r in rows] == theirs
    assert set(rows[0]) == {
        "id",
        "audio",
        "duration",
        "reference",
        "hypothesis",
        "reference_normalized",
        "hypothesis_normalized",
        "substitutions",
        "deletions",
        "insertions",
        "wer",
    }
    errors = sum(r["substitutions"] + r["deletions"] + r["insertions"] for r in rows)
    words = sum(len(r["reference_normalized"].split()) for r in rows)
    assert summary["wer"] == pytest.approx(100 * errors / words)
    assert summary["sentence_error_rate"] == pytest.approx(100 * sum(1 for c in theirs if sum(c)) / len(rows))
    assert summary["wer_ci"][0] <= summary["wer"] <= summary["wer_ci"][1]
    text = CliRunner().invoke(cli, args)
    assert "oal-2026-06" in text.output and "SER" in text.output


@pytest.mark.skipif(oal_reference.repository() is None, reason="the leaderboard's repository is not at hand (OAL_REPO)")
def test_rescoring_equals_score_results_run_on_the_same_rows(tmp_path: Path) -> None:
    pairs = [tuple(p) for p in SAMPLE["pairs"]]
    theirs = oal_reference.run("oal-2026-06", [], pairs, per_pair=[]).results["corpus"]  # type: ignore[index]
    ours = rescore(_saved(tmp_path, [list(p) for p in pairs]), scoring_version("oal-2026-06")).summary()
    assert round(ours["wer"], 2) == theirs["wer"]
    assert (ours["substitutions"], ours["deletions"], ours["insertions"]) == (
        theirs["sub"],
        theirs["del"],
        theirs["ins"],
    )


def test_rescoring_runs_without_torch_or_nemo(tmp_path: Path) -> None:
    saved = _saved(tmp_path, [["the whitepaper", "the white paper"], ["hello world", "hello"]], "ref", "hyp")
    code = (
        "import sys; from click.testing import CliRunner; from asr_registry.cli import cli\n"
        f"r = CliRunner().invoke(cli, ['bench', '--predictions', {str(saved)!r}, '--ref-key', 'ref', '--pred-key',"
        " 'hyp', '--normalizer', 'oal-2026-06', '--json'])\n"
        "assert r.exit_code == 0, r.output\n"
        "print(r.output)\n"
        "print('LOADED', sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'nemo', 'lightning')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "LOADED []" in out
    assert '"wer": 25.0' in out  # the compound is free; "world" is deleted: 1 error in 4 words


def test_list_normalizers_names_each_version_with_its_source() -> None:
    result = CliRunner().invoke(cli, ["bench", "--list-normalizers"])
    assert result.exit_code == 0, result.output
    assert "oal-2026-06" in result.output and "d1e99b2" in result.output
    assert "oal-2026-03" in result.output and "b45a5d9" in result.output
    assert "english" in result.output


def test_claims_are_checked_only_with_the_version_they_were_scored_with(tmp_path: Path) -> None:
    saved = _saved(tmp_path, [["the cat sat on the mat"] * 2] * 20)  # WER 0
    base = ["bench", "parakeet-tdt-0.6b-v3", "--predictions", str(saved), "--dataset", "ami:test", "--json"]
    old = json.loads(CliRunner().invoke(cli, [*base, "--normalizer", "oal-2026-03"]).stdout)
    new = json.loads(CliRunner().invoke(cli, [*base, "--normalizer", "oal-2026-06"]).stdout)
    old_ami = [v for v in old["verdicts"] if v["claimed"] == "11.39"]
    new_ami = [v for v in new["verdicts"] if v["claimed"] == "11.39"]
    assert old_ami and old_ami[0]["status"] == "FAIL"  # 0% measured against 11.39% claimed
    assert new_ami and new_ami[0]["status"] == "UNVERIFIABLE" and "oal-2026-03" in new_ami[0]["reason"]


def test_chunked_rows_are_merged_per_recording(tmp_path: Path) -> None:
    path = tmp_path / "chunks.jsonl"
    rows = [
        {"parent_id": "call1", "chunk_index": 1, "duration": 2.0, "text": "hello there world", "pred_text": "world"},
        {"parent_id": "call1", "chunk_index": 0, "duration": 3.0, "text": "hello there world", "pred_text": "hello"},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    merged = read_predictions(path)
    assert merged == [
        {
            "id": "call1",
            "audio_filepath": "call1",
            "duration": 5.0,
            "text": "hello there world",
            "pred_text": "hello world",
        }
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [("", "no predictions"), ("{not json\n", ":1: not JSON"), ('{"text": "a"}\n', ":1: field 'pred_text'")],
)
def test_bad_manifests_name_file_line_and_field(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RegistryError, match=message):
        read_predictions(path)
    result = CliRunner().invoke(cli, ["bench", "--predictions", str(path)])
    assert result.exit_code == 2 and message.strip(":") in result.output


def test_unknown_normalizer_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["bench", "--predictions", str(_saved(tmp_path, [["a", "a"]])), "--normalizer", "nope"]
    )
    assert result.exit_code == 2 and "unknown normaliser 'nope'" in result.output
