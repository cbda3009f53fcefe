"""The one description of the hardware a run plans for, is measured on, and claims are matched against.

`Hardware` is what sizing, the engine's settings and the claim verdicts need; `machine_info()` is
the fuller record the bench writes into its reports. Only `detect_hardware` and `machine_info`
ask torch, and only when called: a GPU that is not here is described by hand (`Hardware.gpu`).
"""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass
from pathlib import Path

from asr_registry.errors import RegistryError, package_version


@dataclass(frozen=True)
class Hardware:
    device: str = "cpu"  # "cpu" or "cuda"
    name: str = ""  # GPU name on "cuda" (e.g. "NVIDIA H100 80GB HBM3"), CPU model on "cpu"
    threads: int | None = None  # torch intra-op threads of a CPU run
    # Why timings may not reflect this hardware ("load 6.1 on 2 cores"); "" on a quiet machine.
    contention: str = ""
    gpu_memory_gb: float = 0.0  # 0 on CPU
    bf16: bool = False  # the GPU runs bf16; on CPU: the CPU computes bf16 natively (avx512_bf16 / amx_bf16)

    @classmethod
    def gpu(cls, gpu_memory_gb: float, name: str = "", bf16: bool = True) -> Hardware:
        """A GPU, present or not (planning for a card that is not here)."""
        return cls("cuda", name, gpu_memory_gb=gpu_memory_gb, bf16=bf16)

    @property
    def cuda(self) -> bool:
        return self.device == "cuda"

    def describe(self) -> str:
        if self.device == "cpu" and self.threads:
            return f"{self.name} x{self.threads} threads"
        if self.cuda and not self.name:
            return f"a {self.gpu_memory_gb:g} GB GPU"
        return self.name


def cpu_model() -> str:
    """The CPU model name as /proc/cpuinfo gives it (what CPU claims record)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def cpu_native_bf16() -> bool:
    """Whether the CPU has bf16 instructions (/proc/cpuinfo flags avx512_bf16 or amx_bf16); without
    them oneDNN emulates bf16 matrix products with fp32 arithmetic."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    for line in text.splitlines():
        if line.startswith("flags"):
            flags = set(line.split(":", 1)[1].split())
            return bool(flags & {"avx512_bf16", "amx_bf16"})
    return False


def detect_hardware(device: str) -> Hardware:
    """This machine's `device`; "cpu" without importing torch (a Ray driver never loads a model)."""
    if not device.startswith("cuda"):
        return Hardware("cpu", cpu_model(), bf16=cpu_native_bf16())
    import torch

    if not torch.cuda.is_available():
        raise RegistryError(f"--device {device}: CUDA is not available on this machine (use --device cpu)")
    index = torch.device(device).index or 0
    if index >= torch.cuda.device_count():
        raise RegistryError(f"--device {device}: only {torch.cuda.device_count()} GPU(s) visible")
    props = torch.cuda.get_device_properties(index)
    return Hardware.gpu(props.total_memory / 1024**3, props.name, bool(torch.cuda.is_bf16_supported()))


@dataclass(frozen=True)
class Machine:
    """A run's environment, as reports record it (pytest-benchmark's machine_info)."""

    node: str
    processor: str  # CPU model name
    cpu_count: int
    device: str  # "cpu" or "cuda"
    gpu: str  # GPU name, "" on CPU
    python: str
    torch: str
    nemo: str
    asr_registry: str
    torch_threads: int = 0


def machine_info(device: str) -> Machine:
    """This machine, running on `device`."""
    import torch

    try:
        import nemo

        nemo_version = nemo.__version__
    except ImportError:
        nemo_version = ""
    on_gpu = device.startswith("cuda")
    return Machine(
        node=platform.node(),
        processor=cpu_model(),
        cpu_count=os.cpu_count() or 1,
        device="cuda" if on_gpu else "cpu",
        gpu=torch.cuda.get_device_name(torch.device(device)) if on_gpu else "",
        python=platform.python_version(),
        torch=torch.__version__,
        nemo=nemo_version,
        asr_registry=package_version(),
        torch_threads=torch.get_num_threads(),
    )
