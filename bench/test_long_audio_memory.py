"""Long files through every bundled family on CPU: one pass with local attention, memory bounded.

The files are the digits test set joined end to end (sox; 180 utterances padded to exactly 300 s,
repeated for 15 and 30 minutes), built once per session. Each model runs in its own process
(tests/engine/long_audio_worker.py) so that every file's peak RSS is its own; pytest-benchmark
times each run (one round: minutes of audio). Before local attention, one 300-s file with
digits_ctc grew to 23.8 GB of RAM.

Peak RSS is a memory goal, reported (asserted under `--bench-goals`); what each run must do
(one pass or chunks as planned, speech recognised throughout, memory growing linearly rather
than quadratically) is asserted always. The planning itself is tested in tests/engine/test_long_audio.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tests' helpers: manifest, WER
from tests.engine.helpers import TEST_MANIFEST, wer
from tests.support import REPO

pytestmark = pytest.mark.skipif(shutil.which("sox") is None, reason="needs sox")

GB = 1e9
MINUTES = (5, 15, 30)
# Peak RSS goals (model, NeMo and torch included: about 0.8 GB before any audio).
BOUND_300_S_GB = 4.0
BOUND_30_MIN_GB = 6.0
# One pass vs chunk-and-stitch on the same 5 minutes, each against the reference: the seams and the
# context differ, nothing else (measured 2026-12-06: local attention and 60-s chunks within a point).
AGREEMENT_WER = 0.05
# Against the reference: the tiny models were trained on single utterances (digits_ctc: 9.4% WER on
# them); joined by 0.13-s gaps their words run into each other, and digits_ctc makes about 32% on the
# joined file with full attention (60-s chunks) and with local attention alike. This bound says
# speech was recognised throughout (a lost or garbled stretch would exceed it).
REFERENCE_WER = 0.5


@pytest.fixture(scope="session")
def long_files(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """5, 15 and 30 minutes of real digits speech (WAV, 16 kHz mono)."""
    folder = tmp_path_factory.mktemp("long_audio")
    rows = [json.loads(line) for line in TEST_MANIFEST.read_text(encoding="utf-8").splitlines() if line.strip()]
    total = sum(float(row["duration"]) for row in rows)
    gap = folder / "gap.wav"
    # Silence between utterances, sized so that the 180 utterances fill exactly 300 s.
    subprocess.run(
        ["sox", "-n", "-r", "16000", "-c", "1", str(gap), "trim", "0", f"{(300.0 - total) / len(rows):.6f}"],
        check=True,
    )
    parts: list[str] = []
    for row in rows:
        parts += [str(TEST_MANIFEST.parent / row["audio_filepath"]), str(gap)]
    files = {5: folder / "5min.wav", 15: folder / "15min.wav", 30: folder / "30min.wav"}
    subprocess.run(["sox", *parts, "-r", "16000", "-c", "1", str(files[5])], check=True)
    subprocess.run(["sox", *[str(files[5])] * 3, str(files[15])], check=True)
    subprocess.run(["sox", str(files[15]), str(files[15]), str(files[30])], check=True)
    (folder / "reference.txt").write_text(" ".join(row["text"] for row in rows), encoding="utf-8")
    return files


def _run(model: str, mode: str, files: list[Path], chunk: float | None = None) -> list[dict[str, Any]]:
    command = [sys.executable, "-m", "tests.engine.long_audio_worker", model, mode, str(chunk or "-")]
    done = subprocess.run(
        [*command, *map(str, files)], cwd=REPO, capture_output=True, text=True, check=False, timeout=3000
    )
    assert done.returncode == 0, done.stderr[-3000:]
    records = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert len(records) == len(files), done.stdout[-2000:]
    with (files[0].parent / "figures.txt").open("a", encoding="utf-8") as figures:  # for the README and notes
        for record in records:
            against = wer([_reference_for(record)], [record["text"]])
            line = (
                f"{model} {mode} {Path(record['file']).name}: peak RSS {record['peak_rss'] / GB:.2f} GB, "
                f"chunks {record['chunks']}, local attention {record['local_attention']}, WER {against:.1%}"
            )
            print(line, file=figures)
    return records


def _reference_for(record: dict[str, Any]) -> str:
    text = (Path(record["file"]).parent / "reference.txt").read_text(encoding="utf-8")
    return " ".join([text] * round(record["duration"] / 300))


def _reference(long_files: dict[int, Path], minutes: int) -> str:
    text = (long_files[5].parent / "reference.txt").read_text(encoding="utf-8")
    return " ".join([text] * (minutes // 5))


def _timed(
    benchmark: Any, model: str, mode: str, files: list[Path], chunk: float | None = None
) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = benchmark.pedantic(_run, args=(model, mode, files, chunk), rounds=1, iterations=1)
    benchmark.extra_info["runs"] = [
        {k: r[k] for k in ("duration", "chunks", "local_attention", "peak_rss")} for r in records
    ]
    return records


def test_local_attention_takes_30_minutes_in_one_pass_with_memory_linear_in_length(
    benchmark: Any, goals: Any, long_files: dict[int, Path]
) -> None:
    ctc_local = _timed(benchmark, "digits_ctc", "local-attention", [long_files[m] for m in MINUTES])
    for minutes, record in zip(MINUTES, ctc_local, strict=True):
        assert record["skipped"] is None and record["chunks"] == 1 and record["local_attention"]
        assert wer([_reference(long_files, minutes)], [record["text"]]) < REFERENCE_WER
    peaks = [record["peak_rss"] / GB for record in ctc_local]
    goals.check("peak_rss_30_min_gb", peaks[2], BOUND_30_MIN_GB, at_least=False)
    # Growth from 5 to 30 minutes over growth from 5 to 15: 2.5 if linear, 4.4 if quadratic.
    ratio = (peaks[2] - peaks[0]) / (peaks[1] - peaks[0])
    assert 1.6 < ratio < 3.4, peaks


def test_auto_switches_to_local_attention_and_agrees_with_chunk_and_stitch(
    benchmark: Any, goals: Any, long_files: dict[int, Path]
) -> None:
    auto = _timed(benchmark, "digits_ctc", "auto", [long_files[m] for m in MINUTES])
    for record in auto:
        # Full attention would need tens of GB at 5 minutes: every file runs locally, whole while the
        # memory at hand holds it (the policy's limit; 30 minutes needs about 3 GB of activations).
        assert record["plan"]["local_attention"] and record["local_attention"]
        assert (record["chunks"] == 1) == _fits_one_pass(record)
    goals.check("peak_rss_30_min_gb", auto[2]["peak_rss"] / GB, BOUND_30_MIN_GB, at_least=False)
    chunked = _run("digits_ctc", "chunk", [long_files[5]], chunk=60.0)[0]
    assert chunked["chunks"] > 1 and not chunked["local_attention"]
    agreement = wer([chunked["text"]], [auto[0]["text"]])
    reference = _reference(long_files, 5)
    one_pass, stitched = wer([reference], [auto[0]["text"]]), wer([reference], [chunked["text"]])
    with (long_files[5].parent / "figures.txt").open("a", encoding="utf-8") as figures:
        print(
            f"digits_ctc 5 min: WER one pass {one_pass:.2%}, 60-s chunks {stitched:.2%}, between them {agreement:.2%}",
            file=figures,
        )
    # The tiny model errs on about a third of the joined words either way, differently with different
    # context (the two transcripts differ by about as much as each differs from the reference): the
    # stated agreement is on accuracy, one pass no worse than chunk-and-stitch.
    assert one_pass <= stitched + AGREEMENT_WER


# digits_aed's decoder, trained on single utterances of about 1.5 s, emits 6-8 of the ~20 words in each
# chunk of its configured training length (train_ds.max_duration 12 s): 75.5% / 75.7% WER at 5 and
# 30 minutes (2026-12-06; in one pass before chunking it emitted a few words per file, 99%). The bound
# still tells speech recognised throughout from a lost stretch (a lost 5 minutes would exceed it).
REFERENCE_WER_OF = {"digits_aed": 0.8}
# CI's report mode (.ci/run) sets this to 5: each family's 5-minute run only, which keeps its time
# in bounds; the 30-minute runs of every family are for a quiet machine (the default).
FAMILY_MINUTES = tuple(int(m) for m in os.environ.get("LONG_AUDIO_FAMILY_MINUTES", "5,30").split(","))


@pytest.mark.parametrize("model", ["digits_hybrid", "digits_tdt", "digits_aed"])
def test_every_family_takes_300_s_and_30_minutes_with_bounded_memory(
    benchmark: Any, goals: Any, model: str, long_files: dict[int, Path]
) -> None:
    records = _timed(benchmark, model, "auto", [long_files[m] for m in FAMILY_MINUTES])
    for record, minutes in zip(records, FAMILY_MINUTES, strict=True):
        assert record["skipped"] is None
        assert wer([_reference(long_files, minutes)], [record["text"]]) < REFERENCE_WER_OF.get(model, REFERENCE_WER)
        bound = ("peak_rss_300_s_gb", BOUND_300_S_GB) if minutes == 5 else ("peak_rss_30_min_gb", BOUND_30_MIN_GB)
        goals.check(bound[0], record["peak_rss"] / GB, bound[1], at_least=False)
    long = records[-1]
    # The one-pass limit is the policy's, from the memory model and the RAM available; an attention
    # decoder's is its trained length, whatever the memory.
    if model == "digits_aed":
        assert long["chunks"] > 1 and not long["local_attention"] and long["plan"]["chunk_seconds"] <= 40
    else:
        assert (long["chunks"] == 1) == _fits_one_pass(long)


def _fits_one_pass(record: dict[str, Any]) -> bool:
    limit = record["plan"]["local_attention_seconds"]
    return limit is None or record["duration"] <= limit
