"""Pieces shared by the normalisers."""

from __future__ import annotations

import re
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
