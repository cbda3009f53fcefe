"""Inverse real-time factor (RTFx) in the manner of the Open ASR Leaderboard.

RTFx is seconds of audio transcribed per second of wall-clock time. The leaderboard warms the
model up on a few batches first (CUDA kernels compile, caches fill; none of it is timed), then
divides the total audio duration by the total transcription time. Here the whole transcription
is repeated ``rounds`` times and the median round is reported, so a single stall (garbage
collection, a noisy neighbour) does not become the published number.

Pure Python: GPU work is asynchronous, so a caller timing CUDA passes ``sync`` (for example
``torch.cuda.synchronize``) and each clock reading waits for the device.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class SpeedResult:
    """``rtfx_median`` is the median of the per-round RTFx values in ``rtfx_rounds``.

    ``wall_seconds_median`` is the median round time. With an even number of rounds the two
    medians average different rounds, so audio_seconds / wall_seconds_median can differ slightly
    from rtfx_median. ``warmup_items`` records how much work the untimed warm-up did (the
    caller's unit: batches or utterances), 0 when there was none.
    """

    rtfx_median: float
    rtfx_rounds: tuple[float, ...]
    audio_seconds: float
    wall_seconds_median: float
    rounds: int
    warmup_items: int
    wall_seconds: tuple[float, ...] = ()


def _rtfx(audio_seconds: float, wall: float) -> float:
    return audio_seconds / wall if wall > 0 else float("inf")


def measure_rtfx(
    run: Callable[[], object],
    audio_seconds: float,
    rounds: int = 3,
    warmup: Callable[[], object] | None = None,
    *,
    warmup_items: int = 0,
    sync: Callable[[], object] | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> SpeedResult:
    """Time `rounds` calls of `run`, each transcribing `audio_seconds` of audio, after one `warmup`.

    `run` must do the same work every round. `sync` is called right before each round starts and
    right before it is stopped, so queued device work is neither charged to the next round nor
    missed; `clock` is replaceable for tests.
    """
    if rounds < 1:
        raise ValueError(f"rounds must be at least 1, got {rounds}")
    if not audio_seconds > 0:
        raise ValueError(f"audio_seconds must be positive, got {audio_seconds}")
    if warmup_items < 0:
        raise ValueError(f"warmup_items must not be negative, got {warmup_items}")
    if warmup is not None:
        warmup()
    walls: list[float] = []
    for _ in range(rounds):
        if sync is not None:
            sync()
        start = clock()
        run()
        if sync is not None:
            sync()
        walls.append(clock() - start)
    per_round = tuple(_rtfx(audio_seconds, wall) for wall in walls)
    return SpeedResult(
        rtfx_median=statistics.median(per_round),
        rtfx_rounds=per_round,
        audio_seconds=audio_seconds,
        wall_seconds_median=statistics.median(walls),
        rounds=rounds,
        warmup_items=warmup_items,
        wall_seconds=tuple(walls),
    )
