"""Joining the chunks of a long file back into one transcript.

Each chunk carries word timestamps relative to its own start. A word belongs to
the chunk whose keep region ([keep_from, keep_to) in file time, split at the
middle of each overlap; see `batching.chunk_windows`) contains the word's centre,
so every word of the overlap is taken exactly once, from the chunk that heard
it with the most context. Char and word times move to file time (`timestamps.shift`)
and are kept by the same rule; segments are rebuilt from the kept words, since a
sentence may cross a seam.

A chunk without word times (an AED decoder without timestamps) cannot say which of its words lie in
an overlap; it is joined to the text so far where the words at the seam agree (`merge_at_overlap`),
so speech both chunks heard is kept once.
"""

from __future__ import annotations

import math
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


def heard_twice(last: Stamp | None, first: Stamp) -> bool:
    """Whether a chunk's first kept word is the word kept last, heard again across the seam.

    Two chunks place a word at the seam a frame or two apart, so its centre can fall on each
    side of the keep boundary, once per chunk: the same text at overlapping times is one word.
    """
    return last is not None and last.text == first.text and first.start < last.end


def stitch_stamps(parts: Sequence[tuple[Segment, Hyp]]) -> Stamps | None:
    """The chunks' char and word times in file time, each kept once; segments rebuilt from the words."""
    words: list[Stamp] = []
    chars: list[Stamp] = []
    for segment, hyp in sorted(parts, key=lambda p: p[0].chunk):
        if hyp.stamps is None:
            return None
        moved = shift(hyp.stamps, segment.start)
        kept = within(moved.words, segment.keep_from, segment.keep_to)
        kept_chars = within(moved.chars, segment.keep_from, segment.keep_to)
        if kept and heard_twice(words[-1] if words else None, kept[0]):
            again = kept.pop(0)
            kept_chars = [c for c in kept_chars if not again.start <= (c.start + c.end) / 2 <= again.end]
        words.extend(kept)
        chars.extend(kept_chars)
    return Stamps(tuple(words), segments_from_words(words), tuple(chars))


def stitch(parts: Sequence[tuple[Segment, Hyp]]) -> Stitched:
    words: list[str] = []
    confidence: list[float] | None = []
    previous_end = 0.0
    last: Stamp | None = None  # the last word kept, in file time
    for segment, hyp in sorted(parts, key=lambda p: p[0].chunk):
        if hyp.times is None:
            overlap = max(0.0, previous_end - segment.start)
            words = merge_at_overlap(words, list(hyp.words), _overlap_words(hyp, segment, overlap))
            confidence = None  # which words survive the merge is not known per word
            last = None
        else:
            placed = [
                Stamp(w, segment.start + a, segment.start + b) for w, (a, b) in zip(hyp.words, hyp.times, strict=True)
            ]
            chosen = [k for k, w in enumerate(placed) if segment.keep_from <= (w.start + w.end) / 2 < segment.keep_to]
            if chosen and heard_twice(last, placed[chosen[0]]):
                chosen.pop(0)
            if chosen:
                last = placed[chosen[-1]]
            words.extend(hyp.words[k] for k in chosen)
            if confidence is not None and hyp.confidence is not None and len(hyp.confidence) == len(hyp.words):
                confidence.extend(hyp.confidence[k] for k in chosen)
            else:
                confidence = None
        previous_end = segment.start + segment.duration
    joined_confidence = tuple(confidence) if confidence is not None else None
    return Stitched(" ".join(words), tuple(words), joined_confidence, stitch_stamps(parts))


def merge_at_overlap(before: list[str], after: list[str], window: int) -> list[str]:
    """`before` then `after`, where up to `window` words at the end of one and the start of the other
    heard the same audio. The overlap is the length whose words agree best position by position (at
    least two agreeing: a lone common word is chance); its first half is kept from `before`, its second
    from `after`, each half from the chunk that heard it with more context (the rule
    `transformers`' chunked ASR pipeline uses for texts without times). No agreement: appended."""
    best, best_score = 0, 0.0
    for length in range(1, min(window, len(before), len(after)) + 1):
        agree = sum(a == b for a, b in zip(before[-length:], after[:length], strict=True))
        score = agree / length + length / 10_000  # the longer of two equally good overlaps
        if agree >= 2 and score > best_score:
            best, best_score = length, score
    if best == 0:
        return before + after
    return before[: len(before) - best + best // 2] + after[best // 2 :]


def _overlap_words(hyp: Hyp, segment: Segment, overlap: float) -> int:
    """How many words of the chunk's start may lie in `overlap` seconds: its word rate, with margin."""
    if overlap <= 0 or segment.duration <= 0:
        return 0
    return math.ceil(len(hyp.words) * overlap / segment.duration * 1.5) + 2
