"""report.py: the pytest-benchmark JSON document, its stats, and the real compare CLI reading it."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from pytest_benchmark.stats import Stats

from asr_registry.bench.report import round_stats, to_pytest_benchmark, write_pytest_benchmark
from asr_registry.errors import RegistryError
from tests.bench.sample import MACHINE, report, run
from tests.support import BIN, HANG_GUARD_SECONDS

STATS_KEYS = set(Stats.fields) | {"data", "iterations"}
BENCH_KEYS = {"group", "name", "fullname", "params", "param", "extra_info", "options", "stats"}


def test_document_has_pytest_benchmarks_layout() -> None:
    doc = to_pytest_benchmark(report())
    assert set(doc) == {"machine_info", "commit_info", "benchmarks", "datetime", "version"}
    assert doc["datetime"] == "2026-11-25T10:00:00+00:00"
    assert {"id", "dirty", "project", "branch"} <= set(doc["commit_info"])
    info = doc["machine_info"]
    for key in ("node", "processor", "machine", "python_implementation", "python_version", "system", "release"):
        assert isinstance(info[key], str), key
    assert info["cpu"]["brand_raw"] == MACHINE.processor and info["cpu"]["count"] == 16
    assert (info["gpu"], info["torch_version"], info["nemo_version"]) == (MACHINE.gpu, "2.13.0", "2.4.0")
    assert len(doc["benchmarks"]) == 4
    for bench in doc["benchmarks"]:
        assert set(bench) == BENCH_KEYS
        assert set(bench["stats"]) == STATS_KEYS
        assert bench["group"] == "librispeech"
    json.dumps(doc, allow_nan=False)  # strict JSON throughout


def test_commit_info_can_be_given() -> None:
    doc = to_pytest_benchmark(report(), commit_info={"id": "abc", "dirty": True, "project": "x", "branch": "main"})
    assert doc["commit_info"]["id"] == "abc"


def test_entry_names_and_extra_info_come_from_the_run() -> None:
    rep = report()
    bench = to_pytest_benchmark(rep)["benchmarks"][0]
    first = rep.runs[0]
    assert bench["name"] == first.label == "parakeet-tdt-0.6b-v2[librispeech:test-clean,tdt,bs16,bf16]"
    assert bench["fullname"].endswith(first.label)
    extra = bench["extra_info"]
    assert extra["wer"] == 1.8 and extra["wer_ci"] == [1.65, 1.95]
    assert extra["cer"] == 0.9 and extra["rtfx"] == 3380.0
    assert (extra["peak_gpu_memory_gb"], extra["peak_cpu_memory_gb"]) == (3.5, 2.0)
    assert (extra["batch_size"], extra["precision"], extra["decoder"], extra["device"]) == (16, "bf16", "tdt", "cuda")
    assert (extra["utterances"], extra["skipped"], extra["audio_seconds"]) == (2620, 1, 19452.5)
    assert extra["normalizer"] == "english-1"
    assert extra["sweep"] == [
        {"batch_size": 16, "rtfx": 3000.0, "peak_memory_gb": 3.5},
        {"batch_size": 64, "rtfx": 3380.0, "peak_memory_gb": 9.1},
    ]
    assert extra["largest_batch"] == 256 and extra["beats"] == {"canary-1b": 0.91}
    (verdict,) = extra["verdicts"]
    assert verdict == {
        "metric": "wer",
        "conditions": "librispeech test-clean tdt",
        "claimed": "1.69",
        "measured": "1.80% [1.65, 1.95]",
        "tolerance": "CI ± 0.50 points",
        "status": "PASS",
        "reason": "claim lies within the measured CI widened by the tolerance",
        "source": "model-card",
        "origin": "model",
    }


def test_missing_and_non_finite_values_become_null() -> None:
    odd = run("x", 5.0, (4.0, 6.0), float("inf"), gpu_gb=None, cpu_gb=float("nan"))
    extra = to_pytest_benchmark(replace(report(), runs=(odd,)))["benchmarks"][0]["extra_info"]
    assert extra["rtfx"] is None and extra["peak_gpu_memory_gb"] is None and extra["peak_cpu_memory_gb"] is None
    assert extra["largest_batch"] is None and extra["sweep"] == [] and extra["verdicts"] == []


@pytest.mark.parametrize("n", range(1, 10))  # every branch of the quartile methods
def test_stats_match_pytest_benchmarks_own(n: int) -> None:
    seconds = [1.0 + ((i * 7919) % 13) / 10 for i in range(n)]
    if n > 4:
        seconds[-1] = 9.0  # an outlier, so fences and outlier counts matter
    reference = Stats()
    for s in seconds:
        reference.update(s)
    ours = round_stats(seconds)
    for key in Stats.fields:
        want, got = getattr(reference, key), ours[key]
        assert got == pytest.approx(want) if isinstance(want, float) else got == want, key
    assert ours["data"] == seconds and ours["iterations"] == 1


def test_stats_by_hand() -> None:
    stats = round_stats([2.0, 4.0, 3.0, 1.0])
    assert (stats["min"], stats["max"], stats["mean"], stats["median"], stats["total"]) == (1.0, 4.0, 2.5, 2.5, 10.0)
    assert (stats["q1"], stats["q3"], stats["iqr"], stats["rounds"]) == (1.5, 3.5, 2.0, 4)
    assert stats["stddev"] == pytest.approx(math.sqrt(5 / 3)) and stats["ops"] == 0.4


def test_untimed_run_gets_zero_stats() -> None:
    stats = round_stats([])
    assert stats["rounds"] == 0 and stats["mean"] == 0.0 and stats["data"] == [] and stats["ops"] == 0.0


def test_write_is_atomic_and_readable(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "report.json"
    assert write_pytest_benchmark(report(), path) == path
    assert json.loads(path.read_text(encoding="utf-8")) == to_pytest_benchmark(report())
    assert path.stat().st_mode & 0o777 == 0o644
    write_pytest_benchmark(replace(report(), runs=report().runs[:1]), path)  # replaces in place
    assert len(json.loads(path.read_text(encoding="utf-8"))["benchmarks"]) == 1
    assert [p.name for p in path.parent.iterdir()] == ["report.json"]  # no temporary left behind


def test_write_failure_is_a_registry_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(RegistryError, match="cannot write"):
        write_pytest_benchmark(report(), blocker / "report.json")


def _pytest_benchmark(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    script = BIN / "pytest-benchmark"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "pytest_benchmark"]
    return subprocess.run([*command, *args], capture_output=True, text=True, cwd=cwd, timeout=HANG_GUARD_SECONDS)


@pytest.mark.slow
def test_pytest_benchmark_compare_reads_the_files(tmp_path: Path) -> None:
    rep = report()
    untimed = replace(run("untimed-model", 9.0, (8.0, 10.0), None, rounds=()), name="untimed-model")
    write_pytest_benchmark(rep, tmp_path / "old.json")
    faster = tuple(replace(r, round_seconds=tuple(s * 0.9 for s in r.round_seconds)) for r in rep.runs)
    write_pytest_benchmark(replace(rep, runs=(*faster, untimed)), tmp_path / "new.json")
    for extra in ([], ["--columns=min,max,mean,median,rounds"]):
        done = _pytest_benchmark("compare", "old.json", "new.json", *extra, cwd=tmp_path)
        output = done.stdout + done.stderr
        assert done.returncode == 0, output
        # The CLI only warns (and still exits 0) on a file it cannot load: check nothing was dropped.
        assert "Failed to load" not in output, output
        for r in (*rep.runs, untimed):
            assert r.label in done.stdout
        assert "benchmark 'librispeech'" in done.stdout
