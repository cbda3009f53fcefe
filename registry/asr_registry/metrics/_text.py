"""Pieces shared by the normalisers."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

_BRACKETS = re.compile(r"[<\[][^>\]]*[>\]]")
_PARENS = re.compile(r"\(([^)]+?)\)")


def remove_bracketed(s: str) -> str:
    """Drop annotations such as "[noise]", "<unk>" and "(laughs)" along with their brackets."""
    if "[" in s or "<" in s:
        s = _BRACKETS.sub("", s)
    if "(" in s:
        s = _PARENS.sub("", s)
    return s


class CharTable(dict[int, str | None]):
    """A ``str.translate`` table that decides each code point once, on first sight.

    Looking up Unicode categories character by character in Python is the slow part of
    normalising; ``str.translate`` runs in C, and this cache turns every later sighting of a
    character into a dict hit.
    """

    def __init__(self, decide: Callable[[str], str | None]) -> None:
        super().__init__()
        self._decide = decide

    def __missing__(self, code: int) -> str | None:
        out = self._decide(chr(code))
        self[code] = out
        return out


_SPACES = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[^\w\s]")


def _whisper_symbol(c: str) -> str | None:
    return " " if unicodedata.category(c)[0] in "MSP" else c


_WHISPER_SYMBOLS = CharTable(_whisper_symbol)


def whisper_basic(text: str) -> str:
    """Whisper's ``BasicTextNormalizer()``: lower case, bracketed text removed, NFKC, marks/symbols/punctuation to spaces.

    Unlike ``basic`` it lower-cases rather than case-folds ("straße" stays) and turns combining
    marks into spaces, which splits words of Indic scripts apart; it is kept exactly for scoring
    as the leaderboard does. Runs of whitespace become one space; leading and trailing ones stay.
    """
    s = _PARENS.sub("", _BRACKETS.sub("", text.lower()))
    s = unicodedata.normalize("NFKC", s).translate(_WHISPER_SYMBOLS).lower()
    return _SPACES.sub(" ", s)


def leaderboard_basic(text: str) -> str:
    """The leaderboard's ``BasicMultilingualTextNormalizer(remove_diacritics=False)``: Whisper's basic, then
    every character that is neither a word character nor a space removed (format and control
    characters such as U+200D), whitespace collapsed and trimmed."""
    return _SPACES.sub(" ", _NOT_WORD.sub("", whisper_basic(text))).strip()
