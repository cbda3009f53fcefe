"""Reading bench/gpu_check.py's JSON back, and verdicts on memory claims from it (no torch).

A figure measured on a GPU gives a `gpu_memory_gb` claim PASS (measured peak at the claim's
batch size and precision, 20 s audio, at most the claim) or FAIL; without one the claim stays
UNVERIFIABLE and the memory model's estimate is shown beside it. fp16 claims are compared with
the bf16 measurement (same bytes per value under autocast). Peaks are of a shadow (the real
architecture with random weights), which is what memory depends on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from asr_registry.catalog.schema import Claim, ModelEntry
from asr_registry.errors import RegistryError


@dataclass(frozen=True)
class MemoryPoint:
    model: str
    device: str
    gpu: str
    precision: str
    batch_size: int
    seconds: float
    peak_gpu_memory_gb: float | None  # None: measured on CPU (a dry run) or out of memory
    oom: bool = False


@dataclass(frozen=True)
class MemoryVerdict:
    status: str  # PASS / FAIL / UNVERIFIABLE
    measured: str
    reason: str


def load(path: str | Path) -> list[MemoryPoint]:
    try:
        report = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise RegistryError(f"{path}: cannot read a GPU check report: {exc}") from None
    if report.get("kind") != "asr-registry-gpu-check":
        raise RegistryError(f"{path}: not a report of bench/gpu_check.py (kind {report.get('kind')!r})")
    points = []
    for model in report.get("models", []):
        for row in model.get("points", []):
            points.append(MemoryPoint(model["model"], report["device"], report.get("gpu", ""), row["precision"],
                                      int(row["batch_size"]), float(row["seconds"]), row.get("peak_gpu_memory_gb"),
                                      bool(row.get("oom", False))))  # fmt: skip
    return points


def _at_batch(points: list[MemoryPoint], batch: int) -> tuple[float | None, str]:
    """Measured peak at `batch`, linearly interpolated between measured neighbours."""
    known = sorted((p.batch_size, p.peak_gpu_memory_gb) for p in points if p.peak_gpu_memory_gb is not None)
    for size, peak in known:
        if size == batch:
            return peak, f"{peak:.2f} GB"
    below = [(s, g) for s, g in known if s < batch]
    above = [(s, g) for s, g in known if s > batch]
    if below and above:
        (s0, g0), (s1, g1) = below[-1], above[0]
        value = g0 + (g1 - g0) * (batch - s0) / (s1 - s0)
        return value, f"{value:.2f} GB (interpolated between batch {s0} and {s1})"
    if below and any(p.oom and p.batch_size <= batch for p in points):
        return float("inf"), f"out of memory at batch {min(p.batch_size for p in points if p.oom)}"
    return None, ""


def memory_verdict(entry: ModelEntry, claim: Claim, points: list[MemoryPoint], seconds: float = 20.0) -> MemoryVerdict:
    """Verdict on a `gpu_memory_gb` claim from GPU-check points of this model's shadow."""
    from asr_registry.shadow.estimates import claim_estimate

    estimate = claim_estimate(entry, claim, seconds) or "no memory model for this architecture"
    precision = claim.precision or entry.precision
    compare = "bf16" if precision == "fp16" else precision
    mine = [p for p in points if p.model == entry.name and p.precision == compare and p.seconds == seconds]
    on_gpu = [p for p in mine if p.device == "cuda"]
    if claim.metric != "gpu_memory_gb" or not on_gpu:
        why = "not measured on a GPU" if claim.metric == "gpu_memory_gb" else "only memory claims are checked here"
        return MemoryVerdict("UNVERIFIABLE", "", f"{why}; {estimate}")
    batch = claim.batch_size or 16
    peak, shown = _at_batch(on_gpu, batch)
    if peak is None:
        return MemoryVerdict("UNVERIFIABLE", "", f"batch {batch} outside the measured range; {estimate}")
    where = f"shadow on {on_gpu[0].gpu}, batch {batch} x {seconds:g} s {compare}"
    if peak <= claim.high:
        return MemoryVerdict("PASS", shown, f"measured peak at most the claim ({where})")
    return MemoryVerdict("FAIL", shown, f"measured peak above the claim ({where})")
