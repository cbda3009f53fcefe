"""Lhotse cut manifests as input: whole-file cuts go to the engine as their files, others are decoded by Lhotse."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from asr_registry.datasets.lhotse import materialise_cuts
from asr_registry.errors import RegistryError
from tests.datasets.conftest import manifest_rows
from tests.engine.helpers import TEST_MANIFEST
from tests.support import cli_env, invoke_cli


def write_cuts(path: Path, rows: list[dict], trim_first: bool = False) -> Path:
    from lhotse import CutSet, Recording, SupervisionSegment

    cuts = []
    for row in rows:
        recording = Recording.from_file(str(TEST_MANIFEST.parent / row["audio_filepath"]))
        cut = recording.to_cut()
        cut.supervisions = [
            SupervisionSegment(
                id=recording.id, recording_id=recording.id, start=0.0, duration=recording.duration, text=row["text"]
            )
        ]
        cuts.append(cut)
    if trim_first:
        cuts[0] = cuts[0].truncate(offset=0.25, duration=0.5)
    CutSet.from_cuts(cuts).to_file(str(path))
    return path


def test_whole_file_cuts_point_at_their_files_and_trimmed_ones_are_written(tmp_path: Path) -> None:
    rows = manifest_rows()[:5]
    cuts = write_cuts(tmp_path / "cuts.jsonl.gz", rows, trim_first=True)
    done = materialise_cuts(cuts, tmp_path / "out")
    written = [json.loads(line) for line in done.manifest.read_text().splitlines()]
    assert done.rows == 5 and not done.dropped
    assert written[0]["audio_filepath"] == "audio/0000000.wav" and written[0]["duration"] == 0.5
    samples, rate = sf.read(str(tmp_path / "out" / written[0]["audio_filepath"]), dtype="float32")
    original, original_rate = sf.read(str(TEST_MANIFEST.parent / rows[0]["audio_filepath"]), dtype="float32")
    assert rate == original_rate and np.allclose(samples, original[rate // 4 : rate // 4 + rate // 2], atol=1e-4)
    for row, source in zip(written[1:], rows[1:], strict=True):
        assert Path(row["audio_filepath"]) == (TEST_MANIFEST.parent / source["audio_filepath"]).resolve()
        assert row["text"] == source["text"]


def test_limit_and_errors(tmp_path: Path) -> None:
    cuts = write_cuts(tmp_path / "cuts.jsonl.gz", manifest_rows()[:20])
    first = materialise_cuts(cuts, tmp_path / "a", limit=5, seed=3).manifest.read_text()
    assert first == materialise_cuts(cuts, tmp_path / "b", limit=5, seed=3).manifest.read_text()
    assert len(first.splitlines()) == 5
    with pytest.raises(RegistryError, match="no such file"):
        materialise_cuts(tmp_path / "missing.jsonl.gz", tmp_path / "c")
    (tmp_path / "bad.jsonl").write_text('{"not": "a cut"}\n')
    with pytest.raises(RegistryError, match="not a Lhotse cut manifest"):
        materialise_cuts(tmp_path / "bad.jsonl", tmp_path / "d")


@pytest.mark.slow
def test_bench_on_cuts_equals_the_manifest(tmp_path: Path) -> None:
    cuts = write_cuts(tmp_path / "cuts.jsonl.gz", manifest_rows())
    env = cli_env(ASR_REGISTRY_LOAD_PLUGINS="digits")
    reports = []
    for extra in ((), ("--lhotse", str(cuts), "--dataset", "digits:test")):
        result = invoke_cli("bench", "digits_ctc", "--rounds", "1", "--resamples", "200", "--json", *extra, env=env)
        assert result.returncode == 0, result.stderr
        (run,) = json.loads(result.stdout)["runs"]
        m = run["measurement"]
        reports.append(
            (
                m["dataset"],
                m["split"],
                m["wer"],
                m["wer_ci"],
                run["utterances"],
                run["normalizer"],
                [v["status"] for v in run["verdicts"] if v["claim"]["metric"] == "wer"],
            )
        )
    assert reports[0] == reports[1] and reports[1][-1] == ["PASS"]
