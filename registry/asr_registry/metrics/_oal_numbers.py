"""Spoken numbers as digits, as Whisper's ``EnglishNumberNormalizer`` does, quirks included.

Used by the Open ASR Leaderboard's English normaliser (``_oal_english``) in every version: the
number stage did not change between them.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator, Sequence
from fractions import Fraction


def _w(block: str) -> list[str]:
    return block.split()


_ONES = dict(
    zip(
        _w(
            "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
            "seventeen eighteen nineteen"
        ),
        range(1, 20),
        strict=True,
    )
)
_TENS = dict(zip(_w("twenty thirty forty fifty sixty seventy eighty ninety"), range(20, 100, 10), strict=True))
_MULTS = dict(
    zip(
        _w(
            "hundred thousand million billion trillion quadrillion quintillion sextillion septillion octillion "
            "nonillion decillion"
        ),
        [100, *(1000**p for p in range(1, 12))],
        strict=True,
    )
)
_ZEROS = frozenset({"o", "oh", "zero"})
# Suffixed forms: plurals and ordinals. Whisper builds ordinals by appending "th" (or "h" after a
# "t"), so "nine" gives "nineth", and "ninth" is no number word at all.
_ONES_SUFFIXED = {("sixes" if w == "six" else w + "s"): (v, "s") for w, v in _ONES.items()}
_ONES_SUFFIXED |= {
    "zeroth": (0, "th"),
    "first": (1, "st"),
    "second": (2, "nd"),
    "third": (3, "rd"),
    "fifth": (5, "th"),
    "twelfth": (12, "th"),
}
_ONES_SUFFIXED |= {
    w + ("h" if w.endswith("t") else "th"): (v, "th") for w, v in _ONES.items() if v > 3 and v not in (5, 12)
}
_TENS_SUFFIXED = {w.replace("y", "ies"): (v, "s") for w, v in _TENS.items()}
_TENS_SUFFIXED |= {w.replace("y", "ieth"): (v, "th") for w, v in _TENS.items()}
_MULTS_SUFFIXED = {w + "s": (v, "s") for w, v in _MULTS.items()} | {w + "th": (v, "th") for w, v in _MULTS.items()}
_DECIMALS = frozenset({*_ONES, *_TENS, *_ZEROS})
_SIGNS = {"minus": "-", "negative": "-", "plus": "+", "positive": "+"}
_CURRENCIES = {
    "pound": "£",
    "pounds": "£",
    "euro": "€",
    "euros": "€",
    "dollar": "$",
    "dollars": "$",
    "cent": "¢",
    "cents": "¢",
}
_PREFIX_CHARS = frozenset({*_SIGNS.values(), *_CURRENCIES.values()})
_SPECIALS = frozenset({"and", "double", "triple", "point"})
_NUMBER_WORDS = frozenset(
    {
        *_ZEROS,
        *_ONES,
        *_ONES_SUFFIXED,
        *_TENS,
        *_TENS_SUFFIXED,
        *_MULTS,
        *_MULTS_SUFFIXED,
        *_SIGNS,
        *_CURRENCIES,
        "per",
        "percent",
        *_SPECIALS,
    }
)
_NUMERAL = re.compile(r"^\d+(\.\d+)?$")
_HALF = re.compile(r"\band\s+a\s+half\b")
_LETTER_DIGIT = re.compile(r"([a-z])([0-9])")
_DIGIT_LETTER = re.compile(r"([0-9])([a-z])")
_SUFFIX_GAP = re.compile(r"([0-9])\s+(st|nd|rd|th|s)\b")
_CENTS_AFTER = re.compile(r"([€£$])([0-9]+) (?:and )?¢([0-9]{1,2})\b")
_ONLY_CENTS = re.compile(r"[€£$]0.([0-9]{1,2})\b")
_ONE = re.compile(r"\b1(s?)\b")

Value = int | str | None


def _fraction(text: int | str) -> Fraction | None:
    try:
        return Fraction(text)
    except ValueError:
        return None


def _append_small(value: int | str, n: int, prev: str | None) -> int | str:
    """A one-to-nineteen word after a number under construction (Whisper's rules, "twenty one" -> 21)."""
    if isinstance(value, str) or prev in _ONES:
        if prev in _TENS and n < 10:  # "twenty" left a zero for the digit (value is a str here)
            return str(value)[:-1] + str(n)
        return f"{value}{n}"
    if value % (10 if n < 10 else 100) == 0:
        return value + n
    return f"{value}{n}"


class _Numbers:
    """One pass over a sentence's words, holding the number being built and a pending sign or currency."""

    def __init__(self) -> None:
        self.value: Value = None
        self.prefix: str | None = None

    def emit(self, result: int | str) -> str:
        text = f"{self.prefix}{result}" if self.prefix is not None else str(result)
        self.value = self.prefix = None
        return text

    def flush(self) -> Iterator[str]:
        if self.value is not None:
            yield self.emit(self.value)

    def words(self, words: Sequence[str]) -> Iterator[str]:
        skip = False
        last = len(words) - 1
        for i, current in enumerate(words):
            prev = words[i - 1] if i else None
            nxt = words[i + 1] if i != last else None
            if skip:
                skip = False
                continue
            numeric_next = nxt is not None and _NUMERAL.match(nxt) is not None
            signed = current[0] in _PREFIX_CHARS
            bare = current[1:] if signed else current
            if _NUMERAL.match(bare):
                yield from self._numeral(current, bare, signed)
            elif current not in _NUMBER_WORDS:
                yield from self.flush()
                yield self.emit(current)
            else:
                skip = yield from self._word(current, prev, nxt, numeric_next)
        yield from self.flush()

    def _numeral(self, current: str, bare: str, signed: bool) -> Iterator[str]:
        f = _fraction(bare)
        if f is None:
            raise ValueError("Converting the fraction failed")
        if self.value is not None:
            if isinstance(self.value, str) and self.value.endswith("."):
                self.value = f"{self.value}{current}"  # decimals after "point", with any sign they carry
                return
            yield self.emit(self.value)
        if signed:
            self.prefix = current[0]
        self.value = f.numerator if f.denominator == 1 else bare

    def _word(self, current: str, prev: str | None, nxt: str | None, numeric_next: bool) -> Generator[str, None, bool]:
        """Yields the words to emit; returns whether the next word is consumed too."""
        """Handle one number word; returns whether the next word was consumed."""
        value = self.value
        if current in _ZEROS:
            self.value = f"{value or ''}0"
        elif current in _ONES:
            self.value = _ONES[current] if value is None else _append_small(value, _ONES[current], prev)
        elif current in _ONES_SUFFIXED:
            n, suffix = _ONES_SUFFIXED[current]
            yield self.emit(f"{n if value is None else _append_small(value, n, prev)}{suffix}")
        elif current in _TENS:
            n = _TENS[current]
            if value is None:
                self.value = n
            elif isinstance(value, str) or value % 100 != 0:
                self.value = f"{value}{n}"
            else:
                self.value = value + n
        elif current in _TENS_SUFFIXED:
            n, suffix = _TENS_SUFFIXED[current]
            if value is None:
                yield self.emit(f"{n}{suffix}")
            elif isinstance(value, str) or value % 100 != 0:
                yield self.emit(f"{value}{n}{suffix}")
            else:
                yield self.emit(f"{value + n}{suffix}")
        elif current in _MULTS:
            yield from self._multiply(_MULTS[current], value)
        elif current in _MULTS_SUFFIXED:
            yield from self._multiply_suffixed(*_MULTS_SUFFIXED[current], value)
        elif current in _SIGNS:
            yield from self.flush()
            if nxt in _NUMBER_WORDS or numeric_next:
                self.prefix = _SIGNS[current]
            else:
                yield self.emit(current)
        elif current in _CURRENCIES:
            if value is not None:
                self.prefix = _CURRENCIES[current]
                yield self.emit(value)
            else:
                yield self.emit(current)
        elif current in ("per", "percent"):
            if value is None:
                yield self.emit(current)
            elif current == "percent":
                yield self.emit(f"{value}%")
            elif nxt == "cent":
                yield self.emit(f"{value}%")
                return True
            else:
                yield self.emit(value)
                yield self.emit(current)
        else:
            return (yield from self._special(current, prev, nxt, numeric_next))
        return False

    def _multiply(self, m: int, value: Value) -> Iterator[str]:
        if value is None:
            self.value = m
        elif isinstance(value, str) or value == 0:
            f = _fraction(value)
            if f is not None and (f * m).denominator == 1:
                self.value = (f * m).numerator
            else:
                yield self.emit(value)
                self.value = m
        else:
            self.value = value // 1000 * 1000 + value % 1000 * m

    def _multiply_suffixed(self, m: int, suffix: str, value: Value) -> Iterator[str]:
        if value is None:
            yield self.emit(f"{m}{suffix}")
        elif isinstance(value, str):
            f = _fraction(value)
            if f is not None and (f * m).denominator == 1:
                yield self.emit(f"{(f * m).numerator}{suffix}")
            else:
                yield self.emit(value)
                yield self.emit(f"{m}{suffix}")
        else:
            yield self.emit(f"{value // 1000 * 1000 + value % 1000 * m}{suffix}")
        self.value = None

    def _special(
        self, current: str, prev: str | None, nxt: str | None, numeric_next: bool
    ) -> Generator[str, None, bool]:
        """Handle "and", "double", "triple" and "point": numeric only when a number can follow."""
        if nxt not in _NUMBER_WORDS and not numeric_next:
            yield from self.flush()
            yield self.emit(current)
        elif current == "and":
            if prev not in _MULTS:  # "two hundred and five": the "and" goes
                yield from self.flush()
                yield self.emit(current)
        elif current in ("double", "triple"):
            if nxt in _ONES or nxt in _ZEROS:
                digit = str(_ONES.get(nxt or "", 0))
                self.value = f"{self.value or ''}{digit * (2 if current == 'double' else 3)}"
                return True
            yield from self.flush()
            yield self.emit(current)
        elif nxt in _DECIMALS or numeric_next:  # "point"; before any other number word it vanishes
            self.value = f"{self.value or ''}."
        return False


def _halves(s: str) -> str:
    """Rewrite "<number> and a half" as "<number> point five"; segments that are only spaces vanish, as in Whisper."""
    parts = _HALF.split(s)
    out: list[str] = []
    for i, part in enumerate(parts):
        if not part.strip():
            continue
        out.append(part)
        if i != len(parts) - 1:
            last = part.rsplit(maxsplit=2)[-1]
            out.append("point five" if last in _DECIMALS or last in _MULTS else "and a half")
    return " ".join(out)


def _cents(m: re.Match[str]) -> str:
    return f"{m.group(1)}{m.group(2)}.{int(m.group(3)):02d}"


def standardize_numbers(s: str) -> str:
    s = _halves(s)
    s = _LETTER_DIGIT.sub(r"\1 \2", s)
    s = _DIGIT_LETTER.sub(r"\1 \2", s)
    s = _SUFFIX_GAP.sub(r"\1\2", s)
    words = s.split()
    s = " ".join(_Numbers().words(words)) if words else ""
    s = _CENTS_AFTER.sub(_cents, s)
    s = _ONLY_CENTS.sub(lambda m: f"¢{int(m.group(1))}", s)
    return _ONE.sub(r"one\1", s)
