"""GPU memory of inference: weights at the precision mode + activations + a runtime allowance (no torch).

Weights are held as the engine holds them. The precision modes "bf16"/"fp16" cast the model with
`.to(dtype)`, as the Open ASR Leaderboard's NeMo runner does: 2 bytes per parameter. The "amp-*"
modes run `torch.autocast` over fp32 weights, and autocast keeps a half-precision copy of every
weight it casts until the forward pass ends: 4 + 2 = 6 bytes. ("bf16-cast"/"fp16-cast" are older
names of the cast modes.) This table is the only figure of bytes per weight in the package.

Activations come from the architecture's memory model (memory_models.toml: the peak of live
tensors traced on CPU in fp32, fitted as batch * (a*s + b*s^2) + c for s seconds of audio), halved
for half-precision modes (autocast keeps norms and softmax in fp32, so this is optimistic until a
GPU check measures it), or, without one, from a per-utterance allowance that errs high.

The CUDA context, cuBLAS/cuDNN workspaces and allocator fragmentation are not traced: every need
adds RUNTIME_ALLOWANCE_GB, and a batch fits when its need is within USABLE_FRACTION of the GPU.
"""

from __future__ import annotations

import math
import os
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

GB = 1e9
# Bytes per weight, per precision mode (see the module docstring).
BYTES_PER_WEIGHT: dict[str, int] = {
    "fp32": 4,
    "bf16": 2,
    "fp16": 2,
    "amp-bf16": 6,
    "amp-fp16": 6,
    "bf16-cast": 2,
    "fp16-cast": 2,
}
WEIGHT_LAYOUT: dict[str, str] = {
    "fp32": "fp32 weights",
    "bf16": "weights cast to bf16",
    "fp16": "weights cast to fp16",
    "amp-bf16": "fp32 weights + autocast's bf16 copy",
    "amp-fp16": "fp32 weights + autocast's fp16 copy",
    "bf16-cast": "weights cast to bf16",
    "fp16-cast": "weights cast to fp16",
}
ACTIVATION_SCALE: dict[str, float] = {mode: 1.0 if mode == "fp32" else 0.5 for mode in BYTES_PER_WEIGHT}
# CUDA context, cuBLAS/cuDNN workspaces: an allowance, not a measurement.
RUNTIME_ALLOWANCE_GB = 1.0
# Allocator fragmentation: a batch fits when its need is within this share of the GPU.
USABLE_FRACTION = 0.90
# Without a memory model: activations per utterance in the batch for 20 s of audio, scaled with the
# length. The largest per-utterance peak measured on real architectures with random weights (fp32,
# 20 s: conformer CTC small 0.05, FastConformer hybrid large 0.08, parakeet TDT 0.6B 0.13 GiB;
# shared/reference/shadow-architectures.md), rounded up, and not halved for half precision.
ACTIVATION_GB_PER_UTTERANCE = 0.15
ALLOWANCE_SECONDS = 20.0
MEMORY_MODELS_PATH = Path(__file__).with_name("memory_models.toml")


def bytes_per_weight(precision: str) -> int:
    return BYTES_PER_WEIGHT.get(precision, 4)


def weights_gb(parameters: int, precision: str) -> float:
    return parameters * bytes_per_weight(precision) / GB


def usable_gb(gpu_memory_gb: float) -> float:
    return gpu_memory_gb * USABLE_FRACTION


@dataclass(frozen=True)
class MemoryModel:
    """Peak activation bytes (fp32) = batch * (a * seconds + b * seconds^2) + c; `parameters` of the architecture."""

    a: float
    b: float
    c: float
    max_error: float
    parameters: int
    # Local attention (`rel_pos_local_attn`, context [128, 128], subsampling-convolution chunking):
    # peak bytes (fp32) = batch * local_a * seconds + local_c, linear in length. None: not fitted.
    local_a: float | None = None
    local_c: float | None = None
    # The longest audio the full-attention fit was measured at: the s^2 term is small next to the
    # linear one there, so the fit is not trusted beyond it (a 30-min TDT run it called 4.6 GB was
    # killed). Long files switch to local attention or chunks past this length.
    longest_fitted_seconds: float = math.inf

    def activations_gb(self, batch: int, seconds: float, precision: str) -> float:
        per_utterance = self.a * seconds + self.b * seconds * seconds
        return (batch * per_utterance + self.c) * ACTIVATION_SCALE.get(precision, 1.0) / GB

    def need_gb(self, batch: int, seconds: float, precision: str) -> float:
        return (
            weights_gb(self.parameters, precision)
            + self.activations_gb(batch, seconds, precision)
            + RUNTIME_ALLOWANCE_GB
        )

    def largest_batch(self, gpu_memory_gb: float, seconds: float, precision: str) -> int:
        """The largest batch whose need fits the usable share of the GPU (0: not even one)."""
        scale = ACTIVATION_SCALE.get(precision, 1.0)
        room = (usable_gb(gpu_memory_gb) - RUNTIME_ALLOWANCE_GB - weights_gb(self.parameters, precision)) * GB
        room -= self.c * scale
        per_utterance = (self.a * seconds + self.b * seconds * seconds) * scale
        return max(0, int(room // per_utterance)) if per_utterance > 0 else 0

    def local_activations_gb(self, batch: int, seconds: float, precision: str) -> float | None:
        if self.local_a is None or self.local_c is None:
            return None
        return (batch * self.local_a * seconds + self.local_c) * ACTIVATION_SCALE.get(precision, 1.0) / GB

    def longest_full_seconds(self, activation_gb: float, precision: str) -> float:
        """The longest single file whose full-attention activations fit in `activation_gb` (0: none)."""
        room = activation_gb * GB / ACTIVATION_SCALE.get(precision, 1.0) - self.c
        if room <= 0:
            return 0.0
        if self.b <= 0:
            fits = room / self.a if self.a > 0 else math.inf
        else:
            fits = (-self.a + math.sqrt(self.a * self.a + 4 * self.b * room)) / (2 * self.b)
        return min(fits, self.longest_fitted_seconds)

    def longest_local_seconds(self, activation_gb: float, precision: str) -> float | None:
        """The longest single file whose local-attention activations fit (None: no local fit)."""
        if self.local_a is None or self.local_c is None:
            return None
        room = activation_gb * GB / ACTIVATION_SCALE.get(precision, 1.0) - self.local_c
        return max(0.0, room / self.local_a) if self.local_a > 0 else math.inf

    def describe(self, batch: int, seconds: float, precision: str) -> str:
        return (
            f"weights {weights_gb(self.parameters, precision):.2f} GB ({self.parameters / 1e6:,.0f}M x "
            f"{bytes_per_weight(precision)} B, {WEIGHT_LAYOUT.get(precision, precision)}) + activations "
            f"{self.activations_gb(batch, seconds, precision):.2f} GB at batch {batch} x {seconds:g} s "
            f"(architecture's memory model, CPU-traced) + {RUNTIME_ALLOWANCE_GB:g} GB runtime"
        )


@cache
def _file() -> dict[str, object]:
    if not MEMORY_MODELS_PATH.is_file():
        return {"models": {}}
    with MEMORY_MODELS_PATH.open("rb") as handle:
        return tomllib.load(handle)


def method() -> str:
    """How the memory models were measured (the file's `method` line)."""
    return str(_file().get("method", ""))


@cache
def memory_model(name: str) -> MemoryModel | None:
    models = _file().get("models", {})
    raw = models.get(name) if isinstance(models, dict) else None
    if raw is None or not raw.get("parameters"):
        return None
    local_a, local_c = raw.get("local_a"), raw.get("local_c")
    return MemoryModel(
        float(raw["a"]),
        float(raw["b"]),
        float(raw["c"]),
        float(raw["max_error"]),
        int(raw["parameters"]),
        None if local_a is None else float(local_a),
        None if local_c is None else float(local_c),
        max((float(point[1]) for point in raw.get("points", [])), default=math.inf),
    )


def allowance_need_gb(parameters: int, batch: int, seconds: float, precision: str) -> float:
    """Without a memory model: weights + the runtime allowance + the per-utterance activation allowance."""
    activations = ACTIVATION_GB_PER_UTTERANCE * seconds / ALLOWANCE_SECONDS * batch
    return weights_gb(parameters, precision) + RUNTIME_ALLOWANCE_GB + activations


def allowance_largest_batch(parameters: int, gpu_memory_gb: float, seconds: float, precision: str) -> int:
    room = usable_gb(gpu_memory_gb) - RUNTIME_ALLOWANCE_GB - weights_gb(parameters, precision)
    per_utterance = ACTIVATION_GB_PER_UTTERANCE * seconds / ALLOWANCE_SECONDS
    return max(0, int(room // per_utterance))


def describe_allowance(parameters: int, batch: int, seconds: float, precision: str) -> str:
    return (
        f"estimated from {parameters / 1e6:,.0f}M parameters: weights {weights_gb(parameters, precision):.2f} GB "
        f"({bytes_per_weight(precision)} B each, {WEIGHT_LAYOUT.get(precision, precision)}) + "
        f"{RUNTIME_ALLOWANCE_GB:g} GB runtime + {ACTIVATION_GB_PER_UTTERANCE:g} GB per {ALLOWANCE_SECONDS:g} s of "
        f"audio x {batch} utterance(s) of {seconds:g} s"
    )


# Without a memory model, long files: full attention's activations are taken to grow with the square
# of the length beyond ALLOWANCE_SECONDS (self-attention), local attention's with the length, both
# from the per-utterance allowance above, which errs high.
def allowance_longest_full_seconds(activation_gb: float) -> float:
    if activation_gb <= 0:
        return 0.0
    return ALLOWANCE_SECONDS * math.sqrt(activation_gb / ACTIVATION_GB_PER_UTTERANCE)


def allowance_longest_local_seconds(activation_gb: float) -> float:
    return max(0.0, activation_gb / ACTIVATION_GB_PER_UTTERANCE * ALLOWANCE_SECONDS)


# On CPU the resident set outgrows the traced live tensors (allocator caches, freed-but-kept pages,
# NeMo's own buffers): measured 1.15-1.7x (asr_registry.shadow.memory), so RAM is divided by the top.
CPU_RSS_FACTOR = 1.7
# Of the RAM available when the run starts, the share the engine plans to use (the rest stays free
# for decoding threads, the OS and other processes).
USABLE_RAM_FRACTION = 0.7


def available_ram_gb() -> float:
    """RAM available to new allocations now: /proc/meminfo's MemAvailable (Linux, counts reclaimable
    caches), else the free pages (sysconf)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024 / GB
    except OSError:
        pass
    return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES")) / GB
