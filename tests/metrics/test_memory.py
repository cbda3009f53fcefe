"""Peak memory of a call, and the largest batch that fits."""

from __future__ import annotations

import mmap
import subprocess
import sys
import time
import types
from pathlib import Path

import pytest

from asr_registry.metrics import memory
from asr_registry.metrics.memory import (
    cuda_peak_during,
    current_rss_bytes,
    largest_fitting_batch,
    peak_rss_during,
)

MB = 1024 * 1024


def _allocate_and_free() -> str:
    # Fresh pages from the kernel, each written so that it is resident. Not np.ones: after models
    # ran in this process, malloc holds freed memory that is still resident, and a numpy block
    # can reuse it without the RSS moving (seen as failures of these tests in some test orders).
    block = mmap.mmap(-1, 200 * MB)
    for offset in range(0, 200 * MB, mmap.PAGESIZE):
        block[offset] = 1
    time.sleep(0.02)  # long enough for the sampler to see it
    block.close()  # unmapped: the pages go back to the kernel at once
    return "done"


@pytest.mark.parametrize("method", ["auto", "sample"])
def test_peak_sees_an_allocation_freed_before_the_call_returns(method: memory.Method) -> None:
    before = current_rss_bytes()
    result, peak = peak_rss_during(_allocate_and_free, method=method)
    assert result == "done"
    assert peak - before >= 150 * MB
    assert current_rss_bytes() - before < 100 * MB  # the memory really was given back


def test_peak_of_a_small_call_is_close_to_the_baseline() -> None:
    _allocate_and_free()  # earlier peaks must not leak into the next measurement
    before = current_rss_bytes()
    _, peak = peak_rss_during(lambda: sum(range(1000)))
    assert peak - before < 50 * MB


def test_hwm_method_when_the_kernel_offers_it() -> None:
    if not memory._reset_hwm():
        with pytest.raises(OSError, match="clear_refs"):
            peak_rss_during(lambda: None, method="hwm")
        return
    before = current_rss_bytes()
    _, peak = peak_rss_during(_allocate_and_free, method="hwm")
    assert peak - before >= 150 * MB


def test_rusage_method_reports_at_least_the_peak() -> None:
    before = current_rss_bytes()
    _, peak = peak_rss_during(_allocate_and_free, method="rusage")
    assert peak - before >= 150 * MB


def test_exceptions_propagate_and_the_sampler_stops() -> None:
    def boom() -> None:
        raise KeyError("x")

    with pytest.raises(KeyError):
        peak_rss_during(boom, method="sample")


def test_unknown_method() -> None:
    with pytest.raises(ValueError, match="method"):
        peak_rss_during(lambda: None, method="guess")  # type: ignore[arg-type]


class FakeCuda:
    """Stands in for torch.cuda: records the calls cuda_peak_during makes."""

    def __init__(self, available: bool) -> None:
        self.available = available
        self.calls: list[str] = []

    def is_available(self) -> bool:
        return self.available

    def synchronize(self, device: object = None) -> None:
        self.calls.append("synchronize")

    def reset_peak_memory_stats(self, device: object = None) -> None:
        self.calls.append("reset")

    def max_memory_allocated(self, device: object = None) -> int:
        self.calls.append("max")
        return 123


def test_cuda_peak_protocol(monkeypatch: pytest.MonkeyPatch) -> None:
    cuda = FakeCuda(available=True)
    monkeypatch.setitem(sys.modules, "torch", types.SimpleNamespace(cuda=cuda))
    result, peak = cuda_peak_during(lambda: cuda.calls.append("fn") or "out")
    assert (result, peak) == ("out", 123)
    # reset after pending work finished, read only after the call's kernels finished
    assert cuda.calls == ["synchronize", "reset", "fn", "synchronize", "max"]


def test_cuda_peak_without_a_device(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", types.SimpleNamespace(cuda=FakeCuda(available=False)))
    with pytest.raises(RuntimeError, match="CUDA"):
        cuda_peak_during(lambda: None)


@pytest.mark.skipif(not Path("/dev/nvidiactl").exists(), reason="no NVIDIA device")
def test_cuda_peak_on_a_real_device() -> None:
    import torch

    _, peak = cuda_peak_during(lambda: torch.empty(64 * MB, dtype=torch.uint8, device="cuda"))
    assert peak >= 64 * MB


def test_measuring_modules_do_not_import_torch() -> None:
    code = (
        "import sys\n"
        "import asr_registry.metrics.memory, asr_registry.metrics.speed, asr_registry.metrics.wer\n"
        "assert 'torch' not in sys.modules and 'nemo' not in sys.modules, 'heavy import'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


class Device:
    """A fake accelerator on which batches up to `capacity` fit; records every try."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.tried: list[int] = []

    def __call__(self, batch: int) -> bool:
        self.tried.append(batch)
        return batch <= self.capacity


@pytest.mark.parametrize("capacity", [1, 2, 3, 7, 31, 32, 33, 100, 511, 999, 1000])
def test_largest_fitting_batch_finds_the_capacity(capacity: int) -> None:
    device = Device(capacity)
    assert largest_fitting_batch(device, 1, 1000) == capacity
    assert len(device.tried) <= 12  # log2(1000) + 2


def test_largest_fitting_batch_edges() -> None:
    assert largest_fitting_batch(Device(0), 1, 64) == 0  # nothing fits
    assert largest_fitting_batch(Device(10), 16, 64) == 0  # not even the smallest asked for
    assert largest_fitting_batch(Device(5000), 1, 64) == 64  # everything fits
    device = Device(8)
    assert largest_fitting_batch(device, 8, 8) == 8
    assert device.tried == [8]


@pytest.mark.parametrize(("low", "high"), [(0, 8), (9, 8), (-1, 4)])
def test_largest_fitting_batch_rejects_bad_bounds(low: int, high: int) -> None:
    with pytest.raises(ValueError, match="low"):
        largest_fitting_batch(Device(4), low, high)
