"""Char, word and segment timestamps in seconds, as NeMo's `transcribe(timestamps=True)` gives them.

NeMo's decoders (with `decoding.compute_timestamps = True`) put on each hypothesis
`timestamp = {"char": [...], "word": [...], "segment": [...]}`, each entry with its text under
the level's name and `start_offset`/`end_offset` in encoder frames; `transcribe()` then turns
offsets into seconds (`timestamp_utils.process_timestamp_outputs`: frames x window stride x
subsampling factor). `from_nemo` does the same, once per hypothesis.

Times here are seconds from the start of the audio a model heard. A chunk of a long file (or
any window of a longer recording) is moved to file time with `shift`, the one place that offset
logic lives, so chunk stitching and any other long-audio path keep absolute times alike.

Output rows carry NeMo's field names:

    pred_words:    [{"word": "five", "start": 0.16, "end": 0.40}, ...]
    pred_segments: [{"segment": "five six four", "start": 0.16, "end": 1.28}, ...]
    pred_chars:    [{"char": "f", "start": ..., "end": ...}, ...]   (tokens, for BPE models)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from asr_registry.errors import RegistryError

LEVELS = ("word", "segment", "char")
# The row field of each level (NeMo's level name pluralised, after `pred_`).
COLUMN = {"word": "pred_words", "segment": "pred_segments", "char": "pred_chars"}
# Where NeMo's segment builder ends a segment (`get_segment_offsets`' default delimiters).
SENTENCE_ENDS = (".", "?", "!")


class TimestampsUnsupportedError(RegistryError):
    """The model's family (or this checkpoint) gives no timestamps."""


@dataclass(frozen=True)
class Stamp:
    """One char (token), word or segment and its times in seconds."""

    text: str
    start: float
    end: float


@dataclass(frozen=True)
class Stamps:
    """All three levels for one audio; a level the decoder did not give is empty."""

    words: tuple[Stamp, ...] = ()
    segments: tuple[Stamp, ...] = ()
    chars: tuple[Stamp, ...] = ()

    def level(self, name: str) -> tuple[Stamp, ...]:
        return {"word": self.words, "segment": self.segments, "char": self.chars}[name]


def check_level(level: str | None) -> str | None:
    if level is not None and level not in LEVELS:
        raise RegistryError(f"--timestamps must be one of {', '.join(LEVELS)}, not '{level}'")
    return level


def _text_of(entry: Mapping[str, Any], key: str) -> str:
    value = entry.get(key, "")
    # NeMo's char entries hold a list of characters (tokens, for BPE models).
    if isinstance(value, list | tuple):
        return "".join(str(v) for v in value)
    return str(value)


def _level_from_nemo(entries: Iterable[Mapping[str, Any]] | None, key: str, frame_seconds: float) -> tuple[Stamp, ...]:
    return tuple(
        Stamp(
            _text_of(entry, key),
            round(float(entry["start_offset"]) * frame_seconds, 3),
            round(float(entry["end_offset"]) * frame_seconds, 3),
        )
        for entry in entries or ()
    )


def from_nemo(timestamp: Mapping[str, Any], frame_seconds: float) -> Stamps:
    """A hypothesis' `timestamp` dict (offsets in encoder frames) in seconds."""
    return Stamps(
        words=_level_from_nemo(timestamp.get("word"), "word", frame_seconds),
        segments=_level_from_nemo(timestamp.get("segment"), "segment", frame_seconds),
        chars=_level_from_nemo(timestamp.get("char"), "char", frame_seconds),
    )


def shift(stamps: Stamps, offset: float) -> Stamps:
    """`stamps` moved by `offset` seconds: a chunk's into file time (offset = where the chunk starts),
    or a decoder's back onto the speech (offset = minus its emission delay). No time goes before
    the start of the audio, and no end before its start.
    """
    if offset == 0:
        return stamps

    def moved(level: tuple[Stamp, ...]) -> tuple[Stamp, ...]:
        out = []
        for s in level:
            start = round(max(0.0, s.start + offset), 3)
            out.append(replace(s, start=start, end=round(max(start, s.end + offset), 3)))
        return tuple(out)

    return Stamps(moved(stamps.words), moved(stamps.segments), moved(stamps.chars))


def within(level: Sequence[Stamp], keep_from: float, keep_to: float) -> list[Stamp]:
    """The stamps (in file time) whose centre lies in [keep_from, keep_to): each overlap's words once."""
    return [s for s in level if keep_from <= (s.start + s.end) / 2 < keep_to]


def segments_from_words(words: Sequence[Stamp], ends: Sequence[str] = SENTENCE_ENDS) -> tuple[Stamp, ...]:
    """Segments ended at sentence punctuation, as NeMo's `get_segment_offsets` builds them.

    Used where NeMo's own segments cannot be kept: a file stitched from chunks, whose sentences
    may cross a seam.
    """
    segments: list[Stamp] = []
    current: list[Stamp] = []
    for word in words:
        current.append(word)
        if word.text.endswith(tuple(ends)):
            segments.append(_joined(current))
            current = []
    if current:
        segments.append(_joined(current))
    return tuple(segments)


def _joined(words: Sequence[Stamp]) -> Stamp:
    return Stamp(" ".join(w.text for w in words), words[0].start, words[-1].end)


def stamp_columns(stamps: Stamps | None, level: str) -> dict[str, Any]:
    """The row column of `level` (null when the audio was not transcribed)."""
    key = COLUMN[level]
    if stamps is None:
        return {key: None}
    return {key: [{level: s.text, "start": s.start, "end": s.end} for s in stamps.level(level)]}
