"""How many torch threads the engine runs with, and how they wait.

Measured on 2 cores with two other busy processes (stress-ng --cpu 2), the bundled hybrid
model on its test set: RTFx 137 with 1 torch thread, 20 with 2 — seven times slower. Torch's
OpenMP threads meet at a barrier after every operator and, by default, spin while they wait;
when another process holds one of the cores, the spinning thread burns its time slice waiting
for a descheduled partner. The audio-decoding threads of the engine are that other process
on an otherwise idle machine. What follows:

* every core runs torch when decoding is cheap: uncompressed audio (WAV and the like) at the
  model's rate, or waveforms already in memory. Measured (issue 23, hybrid-large shadow, 2
  cores): decoding such files costs 0.05% of the run, and the old `cores - 1` rule left half
  the machine idle (the engine 0.83x plain NeMo);
* one core is left to the decoding threads and the driver when a real share of the planned
  audio (`DECODE_SHARE`) is compressed or must be resampled; cores are counted from the
  affinity mask, which containers and `taskset` narrow. The choice is made after planning,
  when each file's format and rate are known (`DecodeWork`); before that (`--dry-run`) the
  plan says which way each kind of audio goes;
* idle OpenMP threads sleep instead of spin (`OMP_WAIT_POLICY=PASSIVE`): with it the same
  busy machine ran 2 threads at RTFx 93 instead of 20. OpenMP reads the variable when torch
  loads it, so it is set as this module is imported, before torch, and only where the user
  has not chosen a policy.

`bench/test_threads.py` measures the default against 1 and all cores side by side.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath

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


# Formats libsndfile reads without a codec: samples are copied, not decoded.
UNCOMPRESSED_SUFFIXES = frozenset({".wav", ".wave", ".aif", ".aiff", ".aifc", ".au", ".snd", ".caf", ".w64", ".rf64"})
# Share of the planned audio seconds that must be decoded or resampled before a core is left to it.
DECODE_SHARE = 0.25


@dataclass(frozen=True)
class DecodeWork:
    """How much of the planned audio costs CPU to decode: compressed or at another rate."""

    seconds: float = 0.0
    decoded_seconds: float = 0.0  # compressed or resampled

    @property
    def share(self) -> float:
        return self.decoded_seconds / self.seconds if self.seconds > 0 else 0.0

    @property
    def heavy(self) -> bool:
        return self.share >= DECODE_SHARE


def decode_work(files: Iterable[tuple[str | PurePath | None, int, float]], model_rate: int) -> DecodeWork:
    """From (path or None for in-memory audio, sample rate, seconds) per planned item."""
    total = decoded = 0.0
    for path, rate, seconds in files:
        total += seconds
        compressed = path is not None and PurePath(path).suffix.lower() not in UNCOMPRESSED_SUFFIXES
        if compressed or rate != model_rate:
            decoded += seconds
    return DecodeWork(total, decoded)


def choose_threads(
    requested: int | None, decode_workers: int, cores: int | None = None, work: DecodeWork | None = None
) -> tuple[int, str]:
    """(torch intra-op threads, why); `work` None: not planned yet, chosen as for cheap audio."""
    if requested is not None:
        if requested < 1:
            raise RegistryError("--threads must be at least 1")
        return requested, "--threads"
    cores = usable_cores() if cores is None else cores
    heavy = work is not None and work.heavy
    reserved = 1 if heavy and decode_workers > 0 and cores > 1 else 0
    threads = max(1, cores - reserved)
    if work is None:
        why = f"{cores} usable core(s); one is left to audio decoding if the audio is compressed or resampled"
    elif reserved:
        why = f"{cores} usable core(s), one left to audio decoding ({work.share:.0%} compressed or resampled)"
    else:
        why = f"{cores} usable core(s); audio decoding is cheap ({work.share:.0%} compressed or resampled)"
    return threads, why


def apply(threads: int) -> None:
    import torch

    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)


set_wait_policy()
