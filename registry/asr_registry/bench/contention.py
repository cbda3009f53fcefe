"""How much other work competes with a measurement: CPU time used by other processes, and steal.

Timings mean little when something else holds the cores: on a machine with load 6 on 2
cores the bundled models ran 10-20x slower than on an idle one. The kernel's counters say
how busy the machine was over an interval; subtracting this process's own CPU time leaves
what other work used. Linux only (`/proc`); elsewhere nothing is known and nothing is claimed.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from asr_registry.engine.threads import usable_cores

# Other work using at least this share of the cores we may use makes timings unreliable
# (on 2 cores: half a core, e.g. one `make -j1` or a browser tab playing video).
BUSY_SHARE = 0.25
# Hypervisor steal above this share of CPU time means the "idle" machine is not ours either.
BUSY_STEAL_PERCENT = 10.0


@dataclass(frozen=True)
class Counters:
    """A snapshot: machine-wide busy and steal ticks, this process's ticks, and the clock."""

    busy: int
    steal: int
    total: int
    own: int
    wall: float


@dataclass(frozen=True)
class Contention:
    """Other work over an interval. `other_cores` 1.0 = one core fully used by other processes."""

    seconds: float
    other_cores: float
    steal_percent: float
    load_1m: float | None
    cores: int

    @property
    def busy(self) -> bool:
        return self.other_cores >= BUSY_SHARE * self.cores or self.steal_percent >= BUSY_STEAL_PERCENT

    def describe(self) -> str:
        parts = [f"other processes used {self.other_cores:.1f} of {self.cores} cores"]
        if self.steal_percent >= 1.0:
            parts.append(f"{self.steal_percent:.0f}% CPU steal")
        if self.load_1m is not None:
            parts.append(f"load {self.load_1m:.1f}")
        return ", ".join(parts)

    def as_dict(self) -> dict[str, float | int | bool | None]:
        return {
            "seconds": round(self.seconds, 2),
            "other_cores": round(self.other_cores, 2),
            "steal_percent": round(self.steal_percent, 1),
            "load_1m": self.load_1m,
            "cores": self.cores,
            "busy": self.busy,
        }


def load_1m() -> float | None:
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return None


def _our_cpus() -> set[str] | None:
    try:
        return {f"cpu{n}" for n in os.sched_getaffinity(0)}
    except (AttributeError, OSError):
        return None


def snapshot() -> Counters | None:
    """Current counters over the cores this process may use, or None where /proc is not there."""
    ours = _our_cpus()
    busy = steal = total = 0
    try:
        with open("/proc/stat", encoding="ascii") as handle:
            for line in handle:
                fields = line.split()
                # Per-core lines of our affinity mask only: other cores' work does not compete.
                if not fields or not fields[0].startswith("cpu") or fields[0] == "cpu":
                    continue
                if ours is not None and fields[0] not in ours:
                    continue
                # user nice system idle iowait irq softirq steal [guest guest_nice]: guest time
                # is already counted in user, so only the first eight columns add up.
                user, nice, system, idle, iowait, irq, softirq, stolen = (int(v) for v in fields[1:9])
                busy += user + nice + system + irq + softirq
                steal += stolen
                total += user + nice + system + idle + iowait + irq + softirq + stolen
        with open("/proc/self/stat", encoding="ascii") as handle:
            own_fields = handle.read().rsplit(")", 1)[1].split()
        # utime and stime are fields 14 and 15 of /proc/self/stat, i.e. 12 and 13 after the name.
        own = int(own_fields[11]) + int(own_fields[12])
    except (OSError, IndexError, ValueError):
        return None
    return Counters(busy, steal, total, own, time.monotonic())


def between(start: Counters | None, end: Counters | None, cores: int | None = None) -> Contention | None:
    """Other work between two snapshots of this process."""
    if start is None or end is None or end.wall <= start.wall:
        return None
    ticks_per_second = os.sysconf("SC_CLK_TCK")
    seconds = end.wall - start.wall
    others = max(0, (end.busy - start.busy) - (end.own - start.own))
    total = end.total - start.total
    steal = 100.0 * (end.steal - start.steal) / total if total > 0 else 0.0
    return Contention(seconds, others / ticks_per_second / seconds, steal, load_1m(), cores or usable_cores())


def sample(seconds: float = 0.5) -> Contention | None:
    """Other work over the next `seconds`, this process sleeping meanwhile."""
    start = snapshot()
    time.sleep(seconds)
    return between(start, snapshot())


class Meter:
    """Other work over a stretch of this process's own work: `meter = Meter(); ...; meter.stop()`."""

    def __init__(self) -> None:
        self._start = snapshot()

    def stop(self) -> Contention | None:
        return between(self._start, snapshot())
