"""Figures measured on a GPU: bench/gpu_check.py's JSON report, read back (no torch).

A report holds, per model (a shadow: the real architecture with random weights, which is what
memory and speed depend on), peak GPU memory at (precision, batch, seconds) points and, where the
check timed them, RTFx at several batch sizes (`throughput`: [{precision, seconds, batch_size,
rtfx}]). The throughput knee is the smallest batch reaching KNEE_SHARE of the best RTFx measured.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from asr_registry.errors import RegistryError

REPORT_KIND = "asr-registry-gpu-check"
# The batch to run stops growing where throughput stops growing: within 5% of the best.
KNEE_SHARE = 0.95
# Two GPUs are one class when their memory differs by at most this share (80 GB vs 79.6 GiB).
SAME_CLASS_SHARE = 0.10


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
class ThroughputPoint:
    model: str
    precision: str
    seconds: float
    batch_size: int
    rtfx: float


@dataclass(frozen=True)
class GpuReport:
    path: str
    device: str  # "cuda", or "cpu" for a dry run (never evidence about a GPU)
    gpu: str
    gpu_memory_gb: float | None
    memory: tuple[MemoryPoint, ...]
    throughput: tuple[ThroughputPoint, ...] = ()

    @property
    def source(self) -> str:
        return f"GPU report {Path(self.path).name} ({self.gpu})"

    def same_class(self, gpu_memory_gb: float, gpu_name: str = "") -> bool:
        """A figure from this report counts for a GPU of this name, or (no name given) of this memory."""
        if self.device != "cuda":
            return False
        if gpu_name and self.gpu:
            return self.gpu.strip().lower() == gpu_name.strip().lower()
        if self.gpu_memory_gb is None or gpu_memory_gb <= 0:
            return False
        return abs(self.gpu_memory_gb - gpu_memory_gb) <= SAME_CLASS_SHARE * gpu_memory_gb


def load_report(path: str | Path) -> GpuReport:
    try:
        report = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise RegistryError(f"{path}: cannot read a GPU check report: {exc}") from None
    if report.get("kind") != REPORT_KIND:
        raise RegistryError(f"{path}: not a report of bench/gpu_check.py (kind {report.get('kind')!r})")
    memory: list[MemoryPoint] = []
    speed: list[ThroughputPoint] = []
    try:
        for model in report.get("models", []):
            for row in model.get("points", []):
                memory.append(
                    MemoryPoint(
                        model["model"],
                        report["device"],
                        report.get("gpu", ""),
                        row["precision"],
                        int(row["batch_size"]),
                        float(row["seconds"]),
                        row.get("peak_gpu_memory_gb"),
                        bool(row.get("oom", False)),
                    )
                )
            for row in model.get("throughput", []):
                speed.append(
                    ThroughputPoint(
                        model["model"],
                        row["precision"],
                        float(row["seconds"]),
                        int(row["batch_size"]),
                        float(row["rtfx"]),
                    )
                )
    except (KeyError, TypeError, ValueError) as exc:
        raise RegistryError(f"{path}: malformed GPU check report: {type(exc).__name__}: {exc}") from None
    gb = report.get("gpu_memory_gb")
    return GpuReport(
        str(path), report["device"], report.get("gpu", ""), float(gb) if gb else None, tuple(memory), tuple(speed)
    )


def peak_at(points: list[MemoryPoint], batch: int, extrapolate: bool = False) -> float | None:
    """Measured peak at `batch`, linearly interpolated between measured neighbours; above the largest
    measured batch, with `extrapolate`, continued along the last two (activations grow per utterance)
    unless a batch at most this large ran out of memory; else None outside them."""
    known = sorted((p.batch_size, p.peak_gpu_memory_gb) for p in points if p.peak_gpu_memory_gb is not None)
    for size, peak in known:
        if size == batch:
            return peak
    below = [(s, g) for s, g in known if s < batch]
    above = [(s, g) for s, g in known if s > batch]
    if below and above:
        (s0, g0), (s1, g1) = below[-1], above[0]
        return g0 + (g1 - g0) * (batch - s0) / (s1 - s0)
    if below and any(p.oom and p.batch_size <= batch for p in points):
        return float("inf")
    if extrapolate and len(below) >= 2 and not above:
        (s0, g0), (s1, g1) = below[-2], below[-1]
        return g1 + (g1 - g0) * (batch - s1) / (s1 - s0)
    return None


def knee(points: list[ThroughputPoint]) -> int | None:
    """The smallest batch reaching KNEE_SHARE of the best RTFx measured; None without two points."""
    if len({p.batch_size for p in points}) < 2:
        return None
    best = max(p.rtfx for p in points)
    return min(p.batch_size for p in points if p.rtfx >= KNEE_SHARE * best)
