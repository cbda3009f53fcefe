"""Work planning: split long files into chunks, group segments into batches, prefetch.

Policy for audio longer than `max_audio_seconds` (documented in the CLI help):
the file is cut into windows of at most `max_audio_seconds`, consecutive windows
overlapping by `overlap` seconds. Each window is transcribed with word
timestamps; a word is kept by the window whose "own" region contains the word's
centre, the regions being split at the middle of each overlap. Words cut by a
window edge therefore come from the neighbour that saw them whole.

Batches are formed longest first: neighbours have similar lengths and the largest
batch runs first, so an out-of-memory shows up at once. A batch holds at most
`batch_size` segments and at most `max_batch_seconds` of padded audio (count x
longest), which bounds memory whatever the length mix, and its padded audio stays
within `max_padding` (1.15x) of its real audio: a batch is closed early rather than
pad short clips up to a long one. Where lengths are close batches stay full (GPU
throughput); a long clip among short ones runs in a smaller batch. Measured (issue
23) on 50 clips of 4-43 s, bounded by count and seconds alone: 1.52x padded at
batch 16, 1.22x at 8; the model computes every padded frame, and attention's cost
grows with the square of the padded length.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Segment:
    """A unit of model input: a whole file (chunk 0 of 1) or one window of a long file."""

    item: int  # manifest index
    start: float  # seconds into the file
    duration: float  # seconds
    chunk: int = 0
    n_chunks: int = 1
    # The part of [start, start+duration) whose words this segment contributes.
    keep_from: float = 0.0
    keep_to: float = math.inf

    @property
    def chunked(self) -> bool:
        return self.n_chunks > 1


def chunk_windows(duration: float, max_seconds: float, overlap: float) -> list[tuple[float, float, float, float]]:
    """(start, length, keep_from, keep_to) windows covering `duration` seconds.

    Windows are equal-sized (the file is divided evenly rather than leaving a tiny
    last window that would be transcribed with almost no context).
    """
    if duration <= max_seconds:
        return [(0.0, duration, 0.0, math.inf)]
    overlap = min(overlap, max_seconds / 2)
    step_max = max_seconds - overlap
    count = math.ceil((duration - overlap) / step_max)
    step = (duration - overlap) / count
    length = step + overlap
    windows = []
    for k in range(count):
        start = k * step
        keep_from = 0.0 if k == 0 else start + overlap / 2
        keep_to = math.inf if k == count - 1 else start + step + overlap / 2
        windows.append((start, min(length, duration - start), keep_from, keep_to))
    return windows


def plan_segments(durations: Iterable[tuple[int, float]], max_audio_seconds: float, overlap: float) -> list[Segment]:
    segments: list[Segment] = []
    for item, duration in durations:
        windows = chunk_windows(duration, max_audio_seconds, overlap)
        for k, (start, length, keep_from, keep_to) in enumerate(windows):
            segments.append(Segment(item, start, length, k, len(windows), keep_from, keep_to))
    return segments


# Padded audio a batch may hold per second of its real audio.
MAX_PADDING = 1.15


def plan_batches(
    segments: Sequence[Segment],
    batch_size: int,
    max_batch_seconds: float | None,
    max_padding: float = MAX_PADDING,
) -> list[list[Segment]]:
    """Longest first; a batch is closed when adding one more would exceed a bound.

    Bounds: `batch_size` segments, `max_batch_seconds` of padded audio, and padded audio at
    most `max_padding` times the batch's real audio. With descending lengths the first
    segment of a batch is its longest, so the padded size of a batch is
    len(batch) * batch[0].duration; each bound holding per batch, the padding bound also
    holds for the whole run. Results are matched back to their items by index, so
    the batch order never reorders output.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be >= 1")
    if max_padding < 1.0:
        raise ValueError("max_padding must be >= 1")
    ordered = sorted(segments, key=lambda s: (-s.duration, s.item, s.chunk))
    batches: list[list[Segment]] = []
    current: list[Segment] = []
    real = 0.0
    for segment in ordered:
        if current:
            padded = (len(current) + 1) * current[0].duration
            if (
                len(current) >= batch_size
                or (max_batch_seconds is not None and padded > max_batch_seconds)
                or padded > max_padding * (real + segment.duration)
            ):
                batches.append(current)
                current, real = [], 0.0
        current.append(segment)
        real += segment.duration
    if current:
        batches.append(current)
    return batches


def padding_ratio(batches: Sequence[Sequence[Segment]]) -> float:
    """Padded audio (count x longest, per batch) over real audio; 1.0 when nothing is padded."""
    real = sum(s.duration for batch in batches for s in batch)
    padded = sum(len(batch) * max(s.duration for s in batch) for batch in batches if batch)
    return padded / real if real > 0 else 1.0


class Prefetcher(Generic[T, R]):
    """Decode upcoming batches on worker threads while the model runs the current one.

    soundfile (libsndfile), scipy's resampler and torch all release the GIL, so
    threads overlap real work; processes would have to pickle every array back.
    `depth` batches are kept in flight ahead of the consumer.
    """

    def __init__(self, load: Callable[[T], R], workers: int, depth: int = 2) -> None:
        self._load = load
        self._pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="asr-decode")
        self._depth = max(1, depth)

    def iterate(self, batches: Sequence[Sequence[T]]) -> Iterator[tuple[Sequence[T], list[Future[R]]]]:
        pending: list[tuple[Sequence[T], list[Future[R]]]] = []
        upcoming = iter(batches)

        def submit_next() -> None:
            batch = next(upcoming, None)
            if batch is not None:
                pending.append((batch, [self._pool.submit(self._load, x) for x in batch]))

        for _ in range(self._depth + 1):
            submit_next()
        while pending:
            batch, futures = pending.pop(0)
            submit_next()
            yield batch, futures

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Prefetcher[T, R]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
