"""The engine's plain result values, free of torch and NeMo types.

A skipped input is a `Skip`, never a bare string: code tests `isinstance(x, Skip)` instead of
looking at message prefixes, and `Skip.reason` is the text written to the output row's
`skipped` column.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from asr_registry.engine.timestamps import Stamps


@dataclass(frozen=True)
class Hyp:
    """One segment's decoding result."""

    text: str
    words: tuple[str, ...]
    confidence: tuple[float, ...] | None = None
    # (start, end) seconds from the segment start, one per word; only with timestamps.
    times: tuple[tuple[float, float], ...] | None = None
    # Char, word and segment times in seconds from the segment start; only with timestamps.
    stamps: Stamps | None = None
    lang: str | None = None  # the language NeMo decoded in, where it reports one


class SkipKind(Enum):
    """Why an input was left out; the reason text says the details."""

    AUDIO = "audio"  # missing, unreadable, empty or invalid audio
    PROMPT = "prompt"  # a prompt field the model cannot take
    MEMORY = "memory"  # out of memory even alone
    INPUT = "input"  # the input names no audio at all
    STORAGE = "storage"  # the audio folder is not visible where the work ran


@dataclass(frozen=True, order=True)
class Skip:
    """An input that was not transcribed, with the reason shown to the user."""

    reason: str
    kind: SkipKind = SkipKind.AUDIO

    def __str__(self) -> str:
        return self.reason
