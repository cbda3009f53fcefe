"""Reading bench/gpu_check.py's JSON back, and verdicts on memory claims from it (no torch).

A figure measured on a GPU gives a `gpu_memory_gb` claim PASS (measured peak at the claim's
batch size and precision, 20 s audio, at most the claim) or FAIL; without one the claim stays
UNVERIFIABLE and the memory model's estimate is shown beside it. fp16 claims are compared with
the bf16 measurement (same bytes per value under autocast). Peaks are of a shadow (the real
architecture with random weights), which is what memory depends on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from asr_registry.catalog.schema import Claim, ModelEntry
from asr_registry.sizing.measured import MemoryPoint, load_report, peak_at

__all__ = ["MemoryPoint", "MemoryVerdict", "load", "memory_verdict"]


@dataclass(frozen=True)
class MemoryVerdict:
    status: str  # PASS / FAIL / UNVERIFIABLE
    measured: str
    reason: str


def load(path: str | Path) -> list[MemoryPoint]:
    """The memory points of a GPU check report (asr_registry.sizing.measured reads it)."""
    return list(load_report(path).memory)


def _at_batch(points: list[MemoryPoint], batch: int) -> tuple[float | None, str]:
    """Measured peak at `batch` and how it is shown (interpolated between measured neighbours)."""
    peak = peak_at(points, batch)
    if peak is None:
        return None, ""
    if peak == float("inf"):
        return peak, f"out of memory at batch {min(p.batch_size for p in points if p.oom)}"
    known = sorted(p.batch_size for p in points if p.peak_gpu_memory_gb is not None)
    if batch in known:
        return peak, f"{peak:.2f} GB"
    below, above = max(s for s in known if s < batch), min(s for s in known if s > batch)
    return peak, f"{peak:.2f} GB (interpolated between batch {below} and {above})"


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
