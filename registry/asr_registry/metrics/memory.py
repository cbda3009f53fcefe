"""Peak memory of one call: resident set size on the CPU, allocated bytes on a CUDA device.

CPU peak, by the first method that works here:

1. ``hwm`` (Linux 4.0+): write "5" to /proc/self/clear_refs, which resets the kernel's
   high-water mark of the resident set (VmHWM) to the current RSS, run the call, read VmHWM.
   Exact, free while the call runs, but process-wide: allocations by other threads count, and
   anything else reading VmHWM sees it reset.
2. ``sample`` (any Linux): a thread reads /proc/self/statm every ``interval`` seconds while the
   call runs. A spike shorter than the interval can be missed, so this can only under-report.
3. ``rusage`` (other systems): ``getrusage(RUSAGE_SELF).ru_maxrss``, the peak over the whole life
   of the process, which is the call's peak only if the call set a new record. Over-reports.

All return the absolute peak RSS in bytes, baseline included; subtract ``current_rss_bytes()``
taken before the call for the growth.
"""

from __future__ import annotations

import os
import resource
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Literal, TypeVar

T = TypeVar("T")
Method = Literal["auto", "hwm", "sample", "rusage"]

_PROC = Path("/proc/self")
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def current_rss_bytes() -> int:
    """The resident set size of this process now (Linux), or its lifetime peak elsewhere."""
    try:
        return int((_PROC / "statm").read_text().split()[1]) * _PAGE
    except OSError:
        return _rusage_peak()


def _rusage_peak() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # bytes on macOS, KiB elsewhere


def _reset_hwm() -> bool:
    try:
        (_PROC / "clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _read_hwm() -> int:
    for line in (_PROC / "status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise OSError("no VmHWM line in /proc/self/status")


def _sampled(fn: Callable[[], T], interval: float) -> tuple[T, int]:
    peak = current_rss_bytes()
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(interval):
            peak = max(peak, current_rss_bytes())

    sampler = threading.Thread(target=sample, name="peak-rss-sampler", daemon=True)
    sampler.start()
    try:
        result = fn()
        peak = max(peak, current_rss_bytes())
    finally:
        done.set()
        sampler.join()
    return result, peak


def peak_rss_during(fn: Callable[[], T], *, method: Method = "auto", interval: float = 0.001) -> tuple[T, int]:
    """Run `fn` and return its result with the peak resident set size in bytes while it ran."""
    if method not in ("auto", "hwm", "sample", "rusage"):
        raise ValueError(f"unknown method {method!r}")
    if method in ("auto", "hwm") and _reset_hwm():
        result = fn()
        return result, _read_hwm()
    if method == "hwm":
        raise OSError("cannot reset the RSS high-water mark: /proc/self/clear_refs is not writable")
    if method == "rusage" or not (_PROC / "statm").exists():
        result = fn()
        return result, _rusage_peak()
    return _sampled(fn, interval)


def cuda_peak_during(fn: Callable[[], T], device: int | str | None = None) -> tuple[T, int]:
    """Run `fn` and return its result with the peak bytes allocated on the CUDA device meanwhile.

    The peak is PyTorch's caching-allocator figure (``max_memory_allocated``) after a reset, so it
    includes tensors that already existed (model weights) and excludes memory the allocator holds
    in reserve and memory allocated outside PyTorch (cuDNN workspaces, other processes).
    """
    import torch  # here, not at the top: the module must stay importable without torch

    if not torch.cuda.is_available():
        raise RuntimeError("CUDA is not available")
    torch.cuda.synchronize(device)
    torch.cuda.reset_peak_memory_stats(device)
    result = fn()
    torch.cuda.synchronize(device)  # kernels still queued may allocate
    return result, int(torch.cuda.max_memory_allocated(device))


def largest_fitting_batch(try_batch: Callable[[int], bool], low: int, high: int) -> int:
    """The largest batch size in [low, high] for which `try_batch` returns True, by bisection.

    `try_batch` runs one batch and returns False when it does not fit (out of memory). Fitting is
    assumed monotone: if a size fits, every smaller one does. Returns 0 when not even `low` fits.
    Calls `try_batch` about log2(high - low) + 2 times.
    """
    if low < 1 or high < low:
        raise ValueError(f"need 1 <= low <= high, got low={low}, high={high}")
    if not try_batch(low):
        return 0
    if high == low or try_batch(high):
        return high
    fits, fails = low, high  # invariant: `fits` fits, `fails` does not
    while fails - fits > 1:
        mid = (fits + fails) // 2
        if try_batch(mid):
            fits = mid
        else:
            fails = mid
    return fits
