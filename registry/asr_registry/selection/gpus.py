"""GPU classes (gpu_classes.toml): bf16 TFLOP/s, memory bandwidth and memory from vendor datasheets,
for planning on a GPU that is not here and scaling speed claims between classes (no torch)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from asr_registry.errors import RegistryError

GPU_CLASSES_PATH = Path(__file__).with_name("gpu_classes.toml")


@dataclass(frozen=True)
class GpuClass:
    name: str
    names: tuple[str, ...]
    bf16_tflops: float
    bandwidth_tbs: float
    memory_gb: float
    source: str
    bf16: bool = True


@cache
def gpu_classes() -> tuple[GpuClass, ...]:
    with GPU_CLASSES_PATH.open("rb") as handle:
        raw = tomllib.load(handle)
    return tuple(
        GpuClass(
            name,
            tuple(str(n).lower() for n in row["names"]),
            float(row["bf16_tflops"]),
            float(row["bandwidth_tbs"]),
            float(row["memory_gb"]),
            str(row["source"]),
            bool(row.get("bf16", True)),
        )
        for name, row in raw["classes"].items()
    )


def match_gpu(text: str) -> GpuClass | None:
    """The class a GPU name belongs to: the one with the longest spelling found in it (so
    "A100-SXM4-40GB" is the 40 GB class, "L40S" not "L4"); None for an unknown GPU."""
    wanted = text.strip().lower()
    if not wanted or wanted == "cpu":
        return None
    found: list[tuple[int, GpuClass]] = []
    for gpu in gpu_classes():
        spellings = (*gpu.names, gpu.name.lower())
        hits = [len(n) for n in spellings if n == wanted or n in wanted]
        if hits:
            found.append((max(hits), gpu))
    return max(found, key=lambda pair: pair[0])[1] if found else None


def find_gpu(text: str) -> GpuClass:
    """`--gpu NAME`: a known class, else a one-line error naming the known ones."""
    gpu = match_gpu(text)
    if gpu is None:
        known = ", ".join(g.name for g in gpu_classes())
        raise RegistryError(f"--gpu {text}: unknown GPU class; known: {known} (selection/gpu_classes.toml)")
    return gpu
