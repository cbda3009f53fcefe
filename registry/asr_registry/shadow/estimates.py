"""GPU memory and batch-size estimates from the fitted memory models (no torch, no NumPy).

estimate = weights + activations. Weights are held as the engine holds them: fp32, and for
bf16/fp16 the engine runs under torch.autocast, which keeps a half-precision copy of every
weight it casts until the forward pass ends: 4 + 2 = 6 bytes per parameter (a model cast with
`.to(bfloat16)`, as the Open ASR Leaderboard does, holds 2). Activations are the architecture's
fitted peak of live tensors (fp32, traced on CPU, memory_models.toml), halved for fp16/bf16
(autocast keeps norms and softmax in fp32, so this is optimistic; bench/gpu_check.py measures
it). Not included: the CUDA
context (~0.3-0.6 GB), cuBLAS/cuDNN workspaces and allocator fragmentation, which is why the
batch for a GPU is chosen inside `usable_gpu_memory` and every figure is marked "estimated"
until a GPU run (bench/gpu_check.py) measures it.
"""

from __future__ import annotations

import math
import os
import tomllib
from dataclasses import dataclass
from functools import cache

from asr_registry.catalog.schema import Claim, ModelEntry

BYTES_PER_WEIGHT = {"fp32": 4, "fp16": 6, "bf16": 6}  # fp32 master + autocast's cached half copy
ACTIVATION_SCALE = {"fp32": 1.0, "fp16": 0.5, "bf16": 0.5}
DEFAULT_SECONDS = 20.0
# Kept free on the GPU for what the CPU trace cannot see (context, workspaces, fragmentation).
RESERVE_GB = 1.0
RESERVE_FRACTION = 0.10
MAX_BATCH = 512
GB = 1e9


@dataclass(frozen=True)
class MemoryModel:
    a: float
    b: float
    c: float
    max_error: float

    def activations_bytes(self, batch: int, seconds: float) -> float:
        return batch * (self.a * seconds + self.b * seconds * seconds) + self.c


def memory_models_path() -> str:
    return os.path.join(os.path.dirname(__file__), "memory_models.toml")


@cache
def _file() -> dict[str, object]:
    path = memory_models_path()
    if not os.path.isfile(path):
        return {"models": {}}
    with open(path, "rb") as handle:
        return tomllib.load(handle)


def method() -> str:
    return str(_file().get("method", ""))


def memory_model(name: str) -> MemoryModel | None:
    raw = _file().get("models", {}).get(name)  # type: ignore[union-attr]
    if raw is None:
        return None
    return MemoryModel(float(raw["a"]), float(raw["b"]), float(raw["c"]), float(raw["max_error"]))


def _parameters(entry: ModelEntry) -> int | None:
    from asr_registry.shadow.specs import load

    spec = load().specs.get(entry.name)
    return spec.parameters if spec is not None and spec.parameters else entry.parameters


def estimate_memory(entry: ModelEntry, batch_size: int, seconds: float = DEFAULT_SECONDS,
                    precision: str | None = None) -> tuple[float | None, str]:  # fmt: skip
    """(GB, basis): estimated peak GPU memory of inference at this batch size and audio length."""
    precision = precision or entry.precision
    fit = memory_model(entry.name)
    params = _parameters(entry)
    if fit is None or params is None:
        return None, f"no memory model for {entry.name} (no architecture spec)"
    width = BYTES_PER_WEIGHT.get(precision, 4)
    weights = params * width
    activations = fit.activations_bytes(batch_size, seconds) * ACTIVATION_SCALE.get(precision, 1.0)
    total = (weights + activations) / GB
    basis = (f"estimated: weights {weights / GB:.2f} GB ({params / 1e6:,.0f}M x {width} B, {precision} under autocast) + activations "
             f"{activations / GB:.2f} GB at batch {batch_size} x {seconds:g} s (shadow, CPU-traced); "
             f"CUDA context and workspaces not included")  # fmt: skip
    return total, basis


def usable_gpu_memory(gpu_memory_gb: float) -> float:
    return gpu_memory_gb * (1 - RESERVE_FRACTION) - RESERVE_GB


def batch_for_memory(entry: ModelEntry, gpu_memory_gb: float, seconds: float = DEFAULT_SECONDS,
                     precision: str | None = None) -> tuple[int | None, str]:  # fmt: skip
    """(batch, basis): the largest batch whose estimate fits the usable part of the GPU (capped at MAX_BATCH)."""
    precision = precision or entry.precision
    fit = memory_model(entry.name)
    params = _parameters(entry)
    if fit is None or params is None:
        return None, f"no memory model for {entry.name} (no architecture spec)"
    scale = ACTIVATION_SCALE.get(precision, 1.0)
    usable = usable_gpu_memory(gpu_memory_gb) * GB - params * BYTES_PER_WEIGHT.get(precision, 4) - fit.c * scale
    per_utterance = (fit.a * seconds + fit.b * seconds * seconds) * scale
    if usable < per_utterance:
        return None, (f"estimated: even batch 1 x {seconds:g} s ({precision}) does not fit in "
                      f"{gpu_memory_gb:g} GB less the reserve")  # fmt: skip
    batch = min(MAX_BATCH, math.floor(usable / per_utterance))
    capped = f", capped at {MAX_BATCH}" if batch == MAX_BATCH else ""
    return batch, (f"estimated: largest batch of {seconds:g} s audio ({precision}) whose weights + activations fit in "
                   f"{usable_gpu_memory(gpu_memory_gb):.1f} of {gpu_memory_gb:g} GB{capped}")  # fmt: skip


def memory_to_request(entry: ModelEntry, batch_size: int, seconds: float = DEFAULT_SECONDS,
                      precision: str | None = None) -> tuple[float | None, str]:  # fmt: skip
    """GPU memory to ask a scheduler for: the estimate plus the reserve, rounded up to whole GB."""
    gb, basis = estimate_memory(entry, batch_size, seconds, precision)
    if gb is None:
        return None, basis
    request = math.ceil((gb + RESERVE_GB) / (1 - RESERVE_FRACTION))
    return float(request), f"{basis}; + {RESERVE_GB:g} GB and {RESERVE_FRACTION:.0%} reserve"


def _gpu_gb(text: str) -> float | None:
    """GPU memory named in a claim's `gpu` field ('A100-SXM4-80GB' -> 80), if any."""
    import re

    found = re.search(r"(\d+)\s*GB", text, re.IGNORECASE)
    return float(found.group(1)) if found else None


def claim_estimate(entry: ModelEntry, claim: Claim, seconds: float = DEFAULT_SECONDS) -> str | None:
    """The estimate to show beside an UNVERIFIABLE memory or batch-size claim, or None."""
    precision = claim.precision or entry.precision
    if claim.metric == "gpu_memory_gb":
        batch = claim.batch_size or 16
        gb, _ = estimate_memory(entry, batch, seconds, precision)
        if gb is None:
            return None
        return (
            f"estimated {gb:.1f} GB at batch {batch} x {seconds:g} s {precision}; claimed {claim.describe_value()} GB"
        )
    if claim.metric == "optimal_batch_size":
        gpu = _gpu_gb(claim.gpu) or entry.resources.min_gpu_memory_gb or 16.0
        batch, why = batch_for_memory(entry, gpu, seconds, precision)
        if batch is None and why.startswith("no memory model"):
            return None
        if batch is None:
            return f"estimated: batch 1 x {seconds:g} s does not fit in {gpu:g} GB; claimed {claim.describe_value()}"
        return (f"estimated largest batch {batch} in {gpu:g} GB at {seconds:g} s {precision}; "
                f"claimed {claim.describe_value()}")  # fmt: skip
    return None


@dataclass(frozen=True)
class GpuPlan:
    """What `select` shows and `transcribe` uses when the catalog has no measured figure."""

    batch_size: int
    request_gb: float
    basis: str


def plan_for_gpu(entry: ModelEntry, gpu_memory_gb: float, seconds: float = DEFAULT_SECONDS,
                 precision: str | None = None) -> GpuPlan | None:  # fmt: skip
    """The estimated batch for this GPU and the memory to request for it; None without a memory model
    or when even batch 1 does not fit."""
    batch, basis = batch_for_memory(entry, gpu_memory_gb, seconds, precision)
    if batch is None:
        return None
    request, _ = memory_to_request(entry, batch, seconds, precision)
    assert request is not None
    return GpuPlan(batch, min(request, gpu_memory_gb), basis)
