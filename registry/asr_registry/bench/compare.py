"""Compare two bench reports (pytest-benchmark JSON) and say what got better or worse.

Reads files written by `report.write_pytest_benchmark`, and files written by
`pytest bench/ --benchmark-json` whose tests put the same keys in `extra_info`.
Benchmarks are matched by `name`; entries without a WER are not ASR runs and are skipped.

Rules, each chosen so that noise alone does not flag a change:

* WER: the 95% bootstrap CIs decide. A regression only when the new CI lies entirely
  above the old one, an improvement only when entirely below; any overlap is "same".
* RTFx: a regression when it drops by more than `rtfx_drop` (relative), an improvement
  when it rises by more than the same fraction. Timings vary run to run by a few percent.
* Peak memory (GPU and CPU, separately): a regression when it grows by more than
  `memory_growth`, an improvement when it shrinks by more than that fraction.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from asr_registry.bench.report import CPU_MEMORY, GPU_MEMORY, RTFX, WER, WER_CI
from asr_registry.errors import RegistryError

Status = Literal["regression", "improvement", "same"]
# Value of a Change: a number, a (low, high) CI for WER, or None where the run is missing.
Value = float | tuple[float, float] | None


@dataclass(frozen=True)
class Change:
    name: str  # benchmark name (a ModelRun label)
    metric: str  # "wer", "rtfx", "peak_gpu_memory_gb", "peak_cpu_memory_gb", or "presence"
    old: Value
    new: Value
    status: Status
    reason: str


@dataclass(frozen=True)
class _Entry:
    """The figures of one benchmark that the rules look at."""

    wer: float
    wer_ci: tuple[float, float]
    rtfx: float | None
    gpu_memory: float | None
    cpu_memory: float | None


def load_report(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read one JSON report; an unreadable or non-JSON file is the user's to fix."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise RegistryError(f"cannot read {file}: {why}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RegistryError(f"{file}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from exc
    if not isinstance(data, dict):
        raise RegistryError(f"{file}: not a pytest-benchmark report (expected a JSON object)")
    return data


def _number(value: Any) -> bool:
    # bool is an int in Python, but `true` is no measurement.
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _optional(info: Mapping[str, Any], key: str, where: str) -> float | None:
    value = info.get(key)
    if value is None:
        return None
    if not _number(value):
        raise RegistryError(f"{where}: {key} is not a finite number: {value!r}")
    return float(value)


def _entries(report: Mapping[str, Any], label: str) -> dict[str, _Entry]:
    """Benchmarks with a WER, by name; anything misshapen names the file and the entry."""
    benchmarks = report.get("benchmarks")
    if not isinstance(benchmarks, list):
        raise RegistryError(f"{label}: not a pytest-benchmark report (no 'benchmarks' list)")
    entries: dict[str, _Entry] = {}
    for index, bench in enumerate(benchmarks):
        if not isinstance(bench, dict) or not isinstance(bench.get("name"), str):
            raise RegistryError(f"{label}: benchmark {index} has no name")
        name = bench["name"]
        where = f"{label}: benchmark {name!r}"
        info = bench.get("extra_info", {})
        if not isinstance(info, dict):
            raise RegistryError(f"{where}: extra_info is not an object")
        wer = _optional(info, WER, where)
        if wer is None:
            continue  # a timing-only benchmark (e.g. CLI start-up): nothing to compare here
        ci = info.get(WER_CI)
        if ci is None:
            low = high = wer  # no CI recorded: the point estimate is all there is
        elif isinstance(ci, list) and len(ci) == 2 and all(_number(v) for v in ci) and ci[0] <= ci[1]:
            low, high = float(ci[0]), float(ci[1])
        else:
            raise RegistryError(f"{where}: {WER_CI} is not a [low, high] pair of numbers: {ci!r}")
        if name in entries:
            raise RegistryError(f"{label}: two benchmarks are named {name!r}; cannot tell which to compare")
        entries[name] = _Entry(
            wer,
            (low, high),
            _optional(info, RTFX, where),
            _optional(info, GPU_MEMORY, where),
            _optional(info, CPU_MEMORY, where),
        )
    return entries


def _wer_change(name: str, old: _Entry, new: _Entry) -> Change:
    (old_low, old_high), (new_low, new_high) = old.wer_ci, new.wer_ci
    shown = f"{old.wer:.2f}% [{old_low:.2f}, {old_high:.2f}] -> {new.wer:.2f}% [{new_low:.2f}, {new_high:.2f}]"
    if new_low > old_high:
        status: Status = "regression"
        reason = f"new CI lies above the old one: {shown}"
    elif new_high < old_low:
        status, reason = "improvement", f"new CI lies below the old one: {shown}"
    else:
        status, reason = "same", f"CIs overlap: {shown}"
    return Change(name, WER, old.wer_ci, new.wer_ci, status, reason)


def _relative_change(name: str, metric: str, old: float, new: float, limit: float, higher_is_better: bool) -> Change:
    """A change beyond `limit` (a fraction of the old value) in the good or the bad direction."""
    shown = f"{old:g} -> {new:g}"
    if old == 0:
        delta = "" if new == old else " (old value was 0)"
        status: Status = "same" if new == old else ("improvement" if (new > 0) == higher_is_better else "regression")
        return Change(name, metric, old, new, status, f"{shown}{delta}")
    ratio = new / old - 1
    worse = -ratio if higher_is_better else ratio
    if worse > limit:
        status = "regression"
    elif -worse > limit:
        status = "improvement"
    else:
        status = "same"
    beyond = "within" if status == "same" else "beyond"
    return Change(name, metric, old, new, status, f"{shown} ({ratio:+.1%}, {beyond} ±{limit:.0%})")


def compare_reports(
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    rtfx_drop: float = 0.10,
    memory_growth: float = 0.10,
    *,
    old_label: str = "old report",
    new_label: str = "new report",
) -> list[Change]:
    """Every change between two loaded reports, by benchmark name then metric.

    Metrics are compared only where both sides measured them. A benchmark present in one
    report only gives one "presence" Change with status "same" and reason "only in old" or
    "only in new": nothing was measured on the other side to call better or worse.
    `old_label`/`new_label` (file names, usually) are used in error messages.
    """
    if not (0 <= rtfx_drop < 1 and memory_growth >= 0):
        raise RegistryError(f"thresholds must be fractions: rtfx_drop={rtfx_drop}, memory_growth={memory_growth}")
    before, after = _entries(old, old_label), _entries(new, new_label)
    changes: list[Change] = []
    for name in sorted(before.keys() | after.keys()):
        if name not in after:
            changes.append(Change(name, "presence", before[name].wer, None, "same", "only in old"))
            continue
        if name not in before:
            changes.append(Change(name, "presence", None, after[name].wer, "same", "only in new"))
            continue
        a, b = before[name], after[name]
        changes.append(_wer_change(name, a, b))
        if a.rtfx is not None and b.rtfx is not None:
            changes.append(_relative_change(name, RTFX, a.rtfx, b.rtfx, rtfx_drop, higher_is_better=True))
        for metric, was, now in ((GPU_MEMORY, a.gpu_memory, b.gpu_memory), (CPU_MEMORY, a.cpu_memory, b.cpu_memory)):
            if was is not None and now is not None:
                changes.append(_relative_change(name, metric, was, now, memory_growth, higher_is_better=False))
    return changes


def compare_files(
    old: str | os.PathLike[str], new: str | os.PathLike[str], rtfx_drop: float = 0.10, memory_growth: float = 0.10
) -> list[Change]:
    """`compare_reports` on two JSON files; errors name the file at fault."""
    return compare_reports(
        load_report(old), load_report(new), rtfx_drop, memory_growth, old_label=str(old), new_label=str(new)
    )
