"""The time-and-cost planner: for H hours of audio on N GPUs of one class, each candidate's
GPU-hours, wall time and cost (`select --hours H --gpu NAME [--gpus N] [--price-per-hour P]`).

Speed comes, best first, from a measured RTFx claim of the model on that GPU class; else from its
claims on another class (the leaderboard's A100-SXM4-80GB or H200), scaled by SPEED_SCALING; else
from the ranking's RTFx estimate (parameter fit or peers, fitted on A100 leaderboard claims), taken
as an A100 figure and scaled the same way. Every figure is an estimate and says its basis.

SPEED_SCALING: RTFx scales with the geometric mean of the bf16 TFLOP/s ratio and the memory
bandwidth ratio of the two classes: at the leaderboard's batch 128 the encoder's matrix products
are compute-bound, while greedy transducer decoding (many small steps) and feature/padding traffic
follow memory bandwidth; the geometric mean weighs the two halves equally. It is a rule of thumb,
checked against the leaderboard's own price in the README (Select: time and cost).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from asr_registry.catalog.schema import Claim, ModelEntry
from asr_registry.selection.gpus import GpuClass, gpu_classes, match_gpu

if TYPE_CHECKING:
    from asr_registry.selection.ranking import Candidate

SPEED_SCALING = "sqrt(bf16 TFLOP/s ratio x memory bandwidth ratio) of the two GPU classes"
# RTFx claims that name no GPU, and the ranking's RTFx estimates, come from the leaderboard's A100.
DEFAULT_CLAIM_GPU = "A100-80GB"
# Classes whose claims are scaled from, best first (the leaderboard's GPUs).
SCALE_FROM = ("H200", "A100-80GB")


@dataclass(frozen=True)
class CostPlan:
    hours: float  # audio hours to transcribe
    gpu: str  # the GPU class
    gpus: int
    rtfx: float  # per GPU
    gpu_hours: float
    wall_hours: float
    cost: float | None  # None without a price
    price_per_hour: float | None
    basis: str  # where rtfx comes from, always an estimate

    def as_dict(self) -> dict[str, object]:
        return {
            "estimate": True,
            "hours": self.hours,
            "gpu": self.gpu,
            "gpus": self.gpus,
            "rtfx": self.rtfx,
            "gpu_hours": self.gpu_hours,
            "wall_hours": self.wall_hours,
            "cost": self.cost,
            "price_per_hour": self.price_per_hour,
            "basis": self.basis,
        }


def speed_ratio(target: GpuClass, source: GpuClass) -> float:
    """How much faster `target` runs than `source` (SPEED_SCALING)."""
    return math.sqrt(target.bf16_tflops / source.bf16_tflops * target.bandwidth_tbs / source.bandwidth_tbs)


def _by_name(name: str) -> GpuClass:
    return next(g for g in gpu_classes() if g.name == name)


def _rtfx_claims(model: ModelEntry) -> list[tuple[Claim, GpuClass]]:
    """The model's GPU RTFx claims with the class each was measured on."""
    found = []
    for claim in model.claims:
        if claim.metric != "rtfx" or claim.gpu.lower() == "cpu":
            continue
        gpu = match_gpu(claim.gpu) if claim.gpu else _by_name(DEFAULT_CLAIM_GPU)
        if gpu is not None:
            found.append((claim, gpu))
    return found


def plan_rtfx(
    model: ModelEntry, target: GpuClass, estimate: float | None, estimate_basis: str
) -> tuple[float | None, str]:
    """RTFx on one `target` GPU and its basis (see the module docstring)."""
    claims = _rtfx_claims(model)
    same = [c for c, g in claims if g.name == target.name]
    if same:
        best = max(same, key=lambda c: c.high)
        return best.high, f"RTFx claim on {best.gpu or target.name} ({best.source})"
    for name in SCALE_FROM:
        on = [c for c, g in claims if g.name == name]
        if on:
            best = max(on, key=lambda c: c.high)
            ratio = speed_ratio(target, _by_name(name))
            return best.high * ratio, (
                f"RTFx claim {best.high:,.0f} on {best.gpu or name} ({best.source}) x {ratio:.2f} for "
                f"{target.name} ({SPEED_SCALING})"
            )
    if estimate is None:
        return None, f"unknown: {estimate_basis}"
    ratio = speed_ratio(target, _by_name(DEFAULT_CLAIM_GPU))
    return estimate * ratio, f"{estimate_basis}, taken as {DEFAULT_CLAIM_GPU} RTFx, x {ratio:.2f} for {target.name}"


def plan_cost(
    model: ModelEntry,
    hours: float,
    gpu: GpuClass,
    gpus: int = 1,
    price_per_hour: float | None = None,
    estimate: float | None = None,
    estimate_basis: str = "",
) -> CostPlan | None:
    """GPU-hours = hours / RTFx; wall time = GPU-hours / N (data parallel, no overheads counted);
    cost = GPU-hours x price. None when the model's speed is unknown."""
    rtfx, basis = plan_rtfx(model, gpu, estimate, estimate_basis)
    if rtfx is None or rtfx <= 0:
        return None
    gpu_hours = hours / rtfx
    cost = gpu_hours * price_per_hour if price_per_hour is not None else None
    return CostPlan(hours, gpu.name, gpus, rtfx, gpu_hours, gpu_hours / gpus, cost, price_per_hour, basis)


def plan_candidates(
    candidates: Sequence[Candidate], hours: float, gpu: GpuClass, gpus: int = 1, price_per_hour: float | None = None
) -> dict[str, CostPlan | None]:
    """Each candidate's plan, by model name; the ranking's RTFx estimate is the last resort."""
    return {
        c.model.name: plan_cost(c.model, hours, gpu, gpus, price_per_hour, c.rtfx, c.rtfx_basis) for c in candidates
    }
