"""Joining the chunks of a long file back into one transcript.

Each chunk carries word timestamps relative to its own start. A word belongs to
the chunk whose keep region ([keep_from, keep_to) in file time, split at the
middle of each overlap; see `batching.chunk_windows`) contains the word's centre,
so every word of the overlap is taken exactly once, from the chunk that heard
it with the most context. Char and word times move to file time (`timestamps.shift`)
and are kept by the same rule; segments are rebuilt from the kept words, since a
sentence may cross a seam.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from asr_registry.engine.batching import Segment
from asr_registry.engine.timestamps import Stamp, Stamps, segments_from_words, shift, within
from asr_registry.engine.values import Hyp


@dataclass(frozen=True)
class Stitched:
    text: str
    words: tuple[str, ...]
    confidence: tuple[float, ...] | None
    stamps: Stamps | None = None  # in file time; only when every chunk had them


def stitch_stamps(parts: Sequence[tuple[Segment, Hyp]]) -> Stamps | None:
    """The chunks' char and word times in file time, each kept once; segments rebuilt from the words."""
    words: list[Stamp] = []
    chars: list[Stamp] = []
    for segment, hyp in sorted(parts, key=lambda p: p[0].chunk):
        if hyp.stamps is None:
            return None
        moved = shift(hyp.stamps, segment.start)
        words.extend(within(moved.words, segment.keep_from, segment.keep_to))
        chars.extend(within(moved.chars, segment.keep_from, segment.keep_to))
    return Stamps(tuple(words), segments_from_words(words), tuple(chars))


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
    joined_confidence = tuple(confidence) if confidence is not None else None
    return Stitched(" ".join(words), tuple(words), joined_confidence, stitch_stamps(parts))
