"""How many torch threads the engine runs with, and how they wait.

Measured on 2 cores with two other busy processes (stress-ng --cpu 2), the bundled hybrid
model on its test set: RTFx 137 with 1 torch thread, 20 with 2 — seven times slower. Torch's
OpenMP threads meet at a barrier after every operator and, by default, spin while they wait;
when another process holds one of the cores, the spinning thread burns its time slice waiting
for a descheduled partner. The audio-decoding threads of the engine are that other process
on an otherwise idle machine. Two rules follow:

* leave one core to the decoding threads and the driver: `cores - 1` torch threads (at least
  one), counted from the affinity mask, which containers and `taskset` narrow;
* let idle OpenMP threads sleep instead of spin (`OMP_WAIT_POLICY=PASSIVE`): with it the same
  busy machine ran 2 threads at RTFx 93 instead of 20. OpenMP reads the variable when torch
  loads it, so it is set as this module is imported, before torch, and only where the user
  has not chosen a policy.

`bench/test_threads.py` measures the default against 1 and all cores side by side.
"""

from __future__ import annotations

import os
import sys

from asr_registry.errors import RegistryError

WAIT_POLICY = "OMP_WAIT_POLICY"


def set_wait_policy() -> None:
    """Passive OpenMP waiting unless the user chose; a no-op once torch is loaded."""
    if "torch" not in sys.modules:
        os.environ.setdefault(WAIT_POLICY, "PASSIVE")


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def choose_threads(requested: int | None, decode_workers: int, cores: int | None = None) -> tuple[int, str]:
    """(torch intra-op threads, why)."""
    if requested is not None:
        if requested < 1:
            raise RegistryError("--threads must be at least 1")
        return requested, "--threads"
    cores = usable_cores() if cores is None else cores
    reserved = 1 if decode_workers > 0 and cores > 1 else 0
    threads = max(1, cores - reserved)
    why = f"{cores} usable core(s)" + (", one left to audio decoding" if reserved else "")
    return threads, why


def apply(threads: int) -> None:
    import torch

    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)


set_wait_policy()
