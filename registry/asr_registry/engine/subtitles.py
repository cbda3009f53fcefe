"""Subtitles (SRT, WebVTT) and plain text per audio file, from a run's output rows.

    written = write_outputs(rows, "out/", "srt", pred_key="pred_text", base=Path("data"))

Cues are built from the word timestamps (`pred_words`: [{"word", "start", "end"}]) and ended
at a sentence end (. ? !), before a cue would need more than `MAX_LINES` lines of
`MAX_LINE_CHARS` characters, or last longer than `MAX_CUE_SECONDS` (the usual broadcast
subtitle limits: 2 lines of 42 characters, at most 7 s on screen). The files are written by
pysubs2, which also reads them back in the tests.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asr_registry.engine.timestamps import SENTENCE_ENDS
from asr_registry.errors import RegistryError

FORMATS = ("jsonl", "srt", "vtt", "txt")
SUBTITLE_FORMATS = ("srt", "vtt")
MAX_LINE_CHARS = 42
MAX_LINES = 2
MAX_CUE_SECONDS = 7.0


@dataclass(frozen=True)
class Word:
    text: str
    start: float
    end: float


@dataclass(frozen=True)
class Cue:
    """One subtitle: its lines and times in seconds."""

    lines: tuple[str, ...]
    start: float
    end: float

    @property
    def text(self) -> str:
        return " ".join(self.lines)


def _lines(words: Sequence[Word]) -> list[str]:
    return textwrap.wrap(" ".join(w.text for w in words), MAX_LINE_CHARS, break_long_words=False) or [""]


def _fits(words: Sequence[Word]) -> bool:
    return len(_lines(words)) <= MAX_LINES and words[-1].end - words[0].start <= MAX_CUE_SECONDS


def cues_from_words(words: Sequence[Word]) -> list[Cue]:
    """Words grouped into cues: ended at sentence ends, and before a cue grows too long or too wide."""
    cues: list[Cue] = []
    current: list[Word] = []

    def close() -> None:
        if current:
            cues.append(Cue(tuple(_lines(current)), current[0].start, current[-1].end))
            current.clear()

    for word in words:
        if current and not _fits([*current, word]):
            close()
        current.append(word)
        if word.text.endswith(SENTENCE_ENDS):
            close()
    close()
    return cues


def words_of(row: Mapping[str, Any]) -> list[Word]:
    """A row's `pred_words` as timed words (empty for a skipped row)."""
    entries = row.get("pred_words") or []
    return [
        Word(str(e["word"]), float(e["start"]), float(e["end"]))
        for e in entries
        if isinstance(e, Mapping) and {"word", "start", "end"} <= e.keys()
    ]


def write_subtitle(cues: Sequence[Cue], path: Path, fmt: str) -> None:
    import pysubs2

    subs = pysubs2.SSAFile()
    for cue in cues:
        # pysubs2 keeps times in milliseconds; "\N" is its line break, written as a new line.
        subs.append(
            pysubs2.SSAEvent(start=round(cue.start * 1000), end=round(cue.end * 1000), text=r"\N".join(cue.lines))
        )
    subs.save(str(path), format_=fmt, encoding="utf-8")


def _names(rows: Sequence[Mapping[str, Any]], fmt: str) -> list[str]:
    """One file name per row: the audio's stem, numbered where two audio files share a stem."""
    stems = [Path(str(row.get("audio_filepath", f"row{i}"))).stem or f"row{i}" for i, row in enumerate(rows)]
    seen: dict[str, int] = {}
    names = []
    for stem in stems:
        count = seen.get(stem, 0)
        seen[stem] = count + 1
        names.append(f"{stem}.{fmt}" if count == 0 else f"{stem}-{count + 1}.{fmt}")
    return names


def write_outputs(rows: Iterable[Mapping[str, Any]], folder: str | Path, fmt: str, *, pred_key: str) -> list[Path]:
    """One `fmt` file per transcribed row in `folder`; skipped rows get none. Returns the paths."""
    if fmt not in FORMATS or fmt == "jsonl":
        raise RegistryError(f"--format {fmt}: subtitles are one of {', '.join(FORMATS[1:])}")
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    listed = list(rows)
    written: list[Path] = []
    for row, name in zip(listed, _names(listed, fmt), strict=True):
        text = row.get(pred_key)
        if not isinstance(text, str):
            continue
        path = target / name
        if fmt == "txt":
            path.write_text(text + "\n", encoding="utf-8")
        else:
            write_subtitle(cues_from_words(words_of(row)), path, fmt)
        written.append(path)
    return written
