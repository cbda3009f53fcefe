"""Joining the chunks of a long file back into one transcript.

Each chunk carries word timestamps relative to its own start. A word belongs to
the chunk whose keep region ([keep_from, keep_to) in file time, split at the
middle of each overlap; see `batching.chunk_windows`) contains the word's centre,
so every word of the overlap is taken exactly once, from the chunk that heard
it with the most context.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from asr_registry.engine.batching import Segment
from asr_registry.engine.values import Hyp


@dataclass(frozen=True)
class Stitched:
    text: str
    words: tuple[str, ...]
    confidence: tuple[float, ...] | None


def stitch(parts: Sequence[tuple[Segment, Hyp]]) -> Stitched:
    words: list[str] = []
    confidence: list[float] | None = []
    for segment, hyp in sorted(parts, key=lambda p: p[0].chunk):
        if hyp.times is None:
            # No timestamps (a model class without them): fall back to the
            # chunk's whole text; overlapping words may then repeat.
            chosen = list(range(len(hyp.words)))
        else:
            chosen = [
                k
                for k, (start, end) in enumerate(hyp.times)
                if segment.keep_from <= segment.start + (start + end) / 2 < segment.keep_to
            ]
        words.extend(hyp.words[k] for k in chosen)
        if confidence is not None and hyp.confidence is not None and len(hyp.confidence) == len(hyp.words):
            confidence.extend(hyp.confidence[k] for k in chosen)
        else:
            confidence = None
    return Stitched(" ".join(words), tuple(words), tuple(confidence) if confidence is not None else None)
