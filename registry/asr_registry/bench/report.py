"""Bench results as a pytest-benchmark JSON file, so `pytest-benchmark compare` can read them.

The layout follows pytest-benchmark 5.3.1 (`plugin.pytest_benchmark_generate_json`,
`stats.Metadata.as_dict`): top-level `machine_info`, `commit_info`, `benchmarks`,
`datetime` and `version`; one benchmark per ModelRun whose `stats` are computed from the
run's timed rounds exactly as `pytest_benchmark.stats.Stats` computes them (reimplemented
here so writing a report does not need pytest-benchmark installed).

What pytest-benchmark has no column for lives in each benchmark's `extra_info`, under the
keys below; `compare.py` reads the same keys back, also from files written by
`pytest bench/ --benchmark-json` whose tests fill `benchmark.extra_info` with them.
Error rates are in percent, memory in GB, speed as RTFx (audio seconds per wall second).
"""

from __future__ import annotations

import json
import math
import os
import platform
import statistics
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from asr_registry.bench.claims import Verdict
from asr_registry.bench.results import BenchReport, MachineInfo, ModelRun
from asr_registry.engine.files import write_atomic, write_or_rescue
from asr_registry.errors import RegistryError

# The pytest-benchmark release whose file layout this module writes.
SCHEMA_VERSION = "5.3.1"

# extra_info keys shared with compare.py.
WER = "wer"
WER_CI = "wer_ci"
RTFX = "rtfx"
GPU_MEMORY = "peak_gpu_memory_gb"
CPU_MEMORY = "peak_cpu_memory_gb"


def round_stats(seconds: Sequence[float]) -> dict[str, Any]:
    """pytest-benchmark's `stats` block for these round durations (one iteration per round).

    Quartiles, Tukey fences and outlier counts use pytest-benchmark's own methods, so a
    table of our files and one of its files show comparable numbers. No rounds (a run
    that was not timed) gives zeros: the compare table still renders, with 0 rounds.
    """
    data = [float(s) for s in seconds]
    if not data:
        zeros: dict[str, Any] = dict.fromkeys(("min", "max", "mean", "stddev", "median", "iqr", "q1", "q3"), 0.0)
        return {
            **zeros,
            "rounds": 0,
            "iqr_outliers": 0,
            "stddev_outliers": 0,
            "outliers": "0;0",
            "ld15iqr": 0.0,
            "hd15iqr": 0.0,
            "ops": 0.0,
            "total": 0.0,
            "data": [],
            "iterations": 1,
        }
    ordered = sorted(data)
    n = len(ordered)
    mean = statistics.mean(data)
    stddev = statistics.stdev(data) if n > 1 else 0.0
    q1, q3 = _quartiles(ordered)
    iqr = q3 - q1
    low_fence, high_fence = q1 - 1.5 * iqr, q3 + 1.5 * iqr
    iqr_outliers = sum(1 for v in data if v < low_fence or v > high_fence)
    stddev_outliers = sum(1 for v in data if v < mean - stddev or v > mean + stddev)
    total = sum(data)
    return {
        "min": ordered[0],
        "max": ordered[-1],
        "mean": mean,
        "stddev": stddev,
        "rounds": n,
        "median": statistics.median(data),
        "iqr": iqr,
        "q1": q1,
        "q3": q3,
        "iqr_outliers": iqr_outliers,
        "stddev_outliers": stddev_outliers,
        "outliers": f"{stddev_outliers};{iqr_outliers}",
        # Lowest / highest datum still inside the 1.5 IQR fences.
        "ld15iqr": ordered[0] if n == 1 else ordered[bisect_left(ordered, low_fence)],
        "hd15iqr": ordered[0] if n == 1 else ordered[bisect_right(ordered, high_fence) - 1],
        "ops": n / total if total else 0.0,
        "total": total,
        "data": data,
        "iterations": 1,
    }


def _quartiles(ordered: Sequence[float]) -> tuple[float, float]:
    """Q1 and Q3 as pytest-benchmark computes them (Wikipedia's methods 2 and 3)."""
    n = len(ordered)
    if n == 1:
        return ordered[0], ordered[0]
    if n % 2 == 0:
        return statistics.median(ordered[: n // 2]), statistics.median(ordered[n // 2 :])
    k, r = n // 4, n % 4
    if r == 1:
        q1 = 0.25 * ordered[k - 1] + 0.75 * ordered[k]
        q3 = 0.75 * ordered[3 * k] + 0.25 * ordered[3 * k + 1]
    else:
        q1 = 0.75 * ordered[k] + 0.25 * ordered[k + 1]
        q3 = 0.25 * ordered[3 * k + 1] + 0.75 * ordered[3 * k + 2]
    return q1, q3


def _finite(value: float | None, digits: int = 6) -> float | None:
    # JSON has no NaN or Infinity: json.dumps would write tokens other readers reject.
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)


def _pair(pair: tuple[float, float] | None) -> list[float | None] | None:
    return None if pair is None else [_finite(pair[0]), _finite(pair[1])]


def verdict_info(verdict: Verdict) -> dict[str, str]:
    claim = verdict.claim
    return {
        "metric": claim.metric,
        "conditions": claim.describe_conditions(),
        "claimed": verdict.claimed,
        "measured": verdict.measured,
        "tolerance": verdict.tolerance,
        "status": verdict.status,
        "reason": verdict.reason,
        "source": claim.source,
        "origin": verdict.origin,
    }


def extra_info(run: ModelRun) -> dict[str, Any]:
    """Everything about a run that pytest-benchmark's stats do not cover."""
    m = run.measurement
    return {
        "model": run.name,
        "dataset": m.dataset,
        "split": m.split,
        "language": m.language,
        WER: _finite(m.wer),
        WER_CI: _pair(m.wer_ci),
        "cer": _finite(m.cer),
        "cer_ci": _pair(m.cer_ci),
        "error_rate_unit": "percent",
        "bootstrap_resamples": run.resamples,
        RTFX: _finite(m.rtfx),
        GPU_MEMORY: _finite(m.peak_gpu_memory_gb),
        CPU_MEMORY: _finite(m.peak_cpu_memory_gb),
        "batch_size": m.batch_size,
        "precision": m.precision,
        "decoder": m.decoder,
        "device": m.hardware.device,
        "hardware": m.hardware.name,
        "torch_threads": m.hardware.threads,
        # Other processes' CPU use while the rounds were timed: figures taken on a busy
        # machine are kept, but read with this beside them.
        "contention": run.contention.as_dict() if run.contention is not None else None,
        "normalizer": run.normalizer,
        "utterances": run.utterances,
        "skipped": run.skipped,
        "audio_seconds": _finite(run.audio_seconds, 3),
        "sweep": [
            {"batch_size": p.batch_size, "rtfx": _finite(p.rtfx), "peak_memory_gb": _finite(p.peak_memory_gb)}
            for p in run.sweep
        ],
        "largest_batch": run.largest_batch,
        # P(this run beats the other) under the paired bootstrap, same utterances.
        "beats": {other: _finite(p) for other, p in sorted(run.beats.items())},
        "verdicts": [verdict_info(v) for v in run.verdicts],
    }


def benchmark_entry(run: ModelRun, rounds: int) -> dict[str, Any]:
    """One entry of `benchmarks`, shaped like `Metadata.as_dict(include_data=True)`."""
    m = run.measurement
    split = f":{m.split}" if m.split else ""
    params = {
        "model": run.name,
        "dataset": m.dataset + split,
        "decoder": m.decoder,
        "batch_size": m.batch_size,
        "precision": m.precision,
    }
    return {
        # Grouping by dataset puts runs on the same audio in one table, where timings compare.
        "group": m.dataset,
        "name": run.label,
        # pytest's fullname is "file::test[param]"; "::" keeps --group-by=fullfunc working.
        "fullname": f"asr-registry::{run.label}",
        "params": params,
        "param": f"{m.dataset}{split},{m.decoder},bs{m.batch_size}",
        "extra_info": extra_info(run),
        "options": {
            "disable_gc": False,
            "timer": "perf_counter",
            "min_rounds": rounds,
            "max_time": None,
            "min_time": None,
            "precision": None,
            "confidence": None,
            "warmup": True,  # the bench's warm-up round is run and left out of the stats
        },
        "stats": round_stats(run.round_seconds),
    }


def machine_json(machine: MachineInfo) -> dict[str, Any]:
    """pytest-benchmark's machine_info plus the accelerator and library versions.

    Architecture, OS and interpreter build are not in MachineInfo; they come from this
    process, which is the one that ran the bench and writes its report.
    """
    return {
        "node": machine.node,
        "processor": machine.processor,
        "machine": platform.machine(),
        "python_compiler": platform.python_compiler(),
        "python_implementation": platform.python_implementation(),
        "python_implementation_version": machine.python,
        "python_version": machine.python,
        "python_build": list(platform.python_build()),
        "release": platform.release(),
        "system": platform.system(),
        "cpu": {"brand_raw": machine.processor, "count": machine.cpu_count, "arch": platform.machine()},
        "device": machine.device,
        "gpu": machine.gpu,
        "torch_version": machine.torch,
        "torch_threads": machine.torch_threads,
        "contention_before": machine.contention.as_dict() if machine.contention is not None else None,
        "nemo_version": machine.nemo,
        "asr_registry_version": machine.asr_registry,
    }


def to_pytest_benchmark(report: BenchReport, *, commit_info: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The report as a pytest-benchmark JSON document (a dict ready for json.dump).

    `commit_info` defaults to an "unversioned" record: asking git here would make the
    output depend on the working directory; callers that know the commit pass it.
    """
    commit = (
        dict(commit_info)
        if commit_info is not None
        else {
            "id": "unversioned",
            "time": None,
            "author_time": None,
            "dirty": False,
            "project": "asr-registry",
            "branch": "(unknown)",
        }
    )
    return {
        "machine_info": machine_json(report.machine),
        "commit_info": commit,
        "benchmarks": [benchmark_entry(run, report.rounds) for run in report.runs],
        "datetime": report.started,
        "version": SCHEMA_VERSION,
    }


def pytest_benchmark_bytes(report: BenchReport, *, commit_info: Mapping[str, Any] | None = None) -> bytes:
    """The report's JSON document, encoded: what `write_pytest_benchmark` writes."""
    text = (
        json.dumps(to_pytest_benchmark(report, commit_info=commit_info), indent=2, ensure_ascii=False, allow_nan=False)
        + "\n"
    )
    return text.encode("utf-8")


def write_pytest_benchmark(
    report: BenchReport, path: str | os.PathLike[str], *, commit_info: Mapping[str, Any] | None = None
) -> Path:
    """Write the report's JSON to `path` atomically: a reader never sees half a file."""
    return write_atomic(Path(path), pytest_benchmark_bytes(report, commit_info=commit_info))


def save_outputs(
    report: BenchReport,
    benchmark_json: Path | None,
    plot: Path | None,
    log_samples: Path | None = None,
    samples: Sequence[Mapping[str, Any]] = (),
) -> list[str]:
    """Write the requested files, each on its own: one that fails does not stop the others.

    `samples` are the --log-samples rows, one JSON line each.

    A file that cannot be written where asked is saved in the temporary folder instead, so
    no measured result is lost. Returns one line per problem, naming the file and where
    its content went.
    """
    problems = []
    if benchmark_json is not None:
        problem = write_or_rescue(benchmark_json, pytest_benchmark_bytes(report))
        if problem:
            problems.append(problem)
    if plot is not None:
        from asr_registry.bench.plot import render_pareto

        try:
            image = render_pareto(report)
        except RegistryError as exc:
            problems.append(f"--plot {plot}: {exc}")
        else:
            problem = write_or_rescue(plot, image)
            if problem:
                problems.append(problem)
    if log_samples is not None:
        from asr_registry.bench.rescore import samples_bytes

        problem = write_or_rescue(log_samples, samples_bytes(samples))
        if problem:
            problems.append(problem)
    return problems
