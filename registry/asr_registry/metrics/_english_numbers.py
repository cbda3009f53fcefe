"""Spoken English numbers to digits, for the English normaliser.

The target behaviour is the number standardiser of Whisper's ``EnglishTextNormalizer`` (the one the
Open ASR Leaderboard scores with), so that WERs computed here stay comparable with published ones:
"twenty five" -> "25", "one oh one" -> "101", "two point five million" -> "2500000",
"five dollars" -> "$5", "ninety percent" -> "90%", "thirty first" -> "31st".

Deliberate differences, each fixing a case where Whisper damages the text:
- "ninth" is recognised (Whisper builds "nineth" and leaves "twenty ninth" as "20 ninth");
- "point" is kept as a word when no decimal follows (Whisper drops it before e.g. "first");
- a sign word ("minus") that never meets its number is kept as a word, not glued on as "-";
- written leading zeros stay ("007", "05"), where Whisper turns "007" into "7", and a written
  "0" before "point" stays ("0 point 5" -> "0.5", Whisper ".5");
- only a free-standing "1"/"1s" is written "one"/"ones" (Whisper also turns "1.5" into "one.5"),
  and not next to another number, where "one" would merge with it when normalised again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from fractions import Fraction
from typing import Literal

Kind = Literal["zero", "one", "ten", "mult"]


def _words(block: str) -> list[str]:
    return block.split()


_ONES = _words(
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen"
)
_TENS = _words("twenty thirty forty fifty sixty seventy eighty ninety")
_MULTS = _words(
    "hundred thousand million billion trillion quadrillion quintillion sextillion septillion "
    "octillion nonillion decillion"
)
_ORDINAL_IRREGULAR = {"first": 1, "second": 2, "third": 3, "fifth": 5, "eighth": 8, "ninth": 9, "twelfth": 12}
_ORDINAL_SUFFIX = {1: "st", 2: "nd", 3: "rd"}


def _lexicon() -> dict[str, tuple[Kind, int, str]]:
    """Every number word with its kind, value and the suffix it leaves on the digits ("s", "th"...)."""
    lex: dict[str, tuple[Kind, int, str]] = {word: ("zero", 0, "") for word in ("o", "oh", "zero")}
    lex["zeroth"] = ("one", 0, "th")
    for value, word in enumerate(_ONES, start=1):
        lex[word] = ("one", value, "")
        lex["sixes" if word == "six" else word + "s"] = ("one", value, "s")
        if value not in _ORDINAL_IRREGULAR.values():
            lex[word + "th"] = ("one", value, "th")  # fourth, sixth, thirteenth...
    for word, value in _ORDINAL_IRREGULAR.items():
        lex[word] = ("one", value, _ORDINAL_SUFFIX.get(value, "th"))
    for value, word in enumerate(_TENS, start=2):
        lex[word] = ("ten", value * 10, "")
        lex[word[:-1] + "ies"] = ("ten", value * 10, "s")
        lex[word[:-1] + "ieth"] = ("ten", value * 10, "th")
    for power, word in enumerate(_MULTS):
        value = 100 if power == 0 else 1000**power
        lex[word] = ("mult", value, "")
        lex[word + "s"] = ("mult", value, "s")
        lex[word + "th"] = ("mult", value, "th")
    return lex


LEXICON = _lexicon()
_ONES_BASE = {word for word, (kind, _, sfx) in LEXICON.items() if kind in ("one", "zero") and not sfx}
_TENS_BASE = set(_TENS)
_MULTS_BASE = set(_MULTS)
DECIMAL_WORDS = frozenset({*_ONES, *_TENS, "o", "oh", "zero"})

_SIGNS = {"minus": "-", "negative": "-", "plus": "+", "positive": "+"}
_CURRENCIES = {"pound": "£", "pounds": "£", "euro": "€", "euros": "€", "dollar": "$", "dollars": "$"}
_CURRENCIES |= {"cent": "¢", "cents": "¢"}
_SPECIALS = {"and", "double", "triple", "point"}
# Words that may continue a number; a sign word only binds to a number when one of these follows.
NUMBER_WORDS = frozenset({*LEXICON, *_SIGNS, *_CURRENCIES, *_SPECIALS, "per", "percent"})

_NUMERIC = re.compile(r"\d+(?:\.\d+)?")
_SYMBOL_PREFIXES = "-+£€$¢"


def _fraction(value: int | str) -> Fraction | None:
    try:
        return Fraction(value)
    except (ValueError, ZeroDivisionError):
        return None


class _Reader:
    """Reads one sentence left to right, holding at most one number under construction.

    The number is an int while it is built arithmetically ("forty three thousand") and a string once
    digits are simply spelled one after another ("five twenty four" -> "524", "double oh seven").
    """

    def __init__(self) -> None:
        self.out: list[str] = []
        self.value: int | str | None = None
        self.prefix = ""
        self.sign_word = ""  # the word behind a pending sign, re-emitted if no number claims it

    def flush(self, suffix: str = "") -> None:
        if self.value is not None:
            self.out.append(f"{self.prefix}{self.value}{suffix}")
            self.prefix = self.sign_word = ""
        self.value = None

    def text(self) -> str:
        """The number so far as digits to append to ("" when none): "0" stays, unlike in Whisper."""
        return "" if self.value is None else str(self.value)

    def release_sign(self) -> None:
        """A sign word that no number followed goes out as the word it was."""
        if self.value is None and self.sign_word:
            self.out.append(self.sign_word)
            self.prefix = self.sign_word = ""

    def word(self, word: str) -> None:
        self.flush()
        self.release_sign()
        self.out.append(word)

    def small(self, n: int, prev: str | None) -> None:
        v = self.value
        if v is None:
            self.value = n
        elif isinstance(v, str) or prev in _ONES_BASE:
            # "twenty twenty one": the "one" fills the trailing zero that "twenty" left
            if prev in _TENS_BASE and n < 10 and str(v).endswith("0"):
                self.value = str(v)[:-1] + str(n)
            else:
                self.value = f"{v}{n}"
        elif v % (10 if n < 10 else 100) == 0:
            self.value = v + n
        else:
            self.value = f"{v}{n}"

    def tens(self, n: int) -> None:
        v = self.value
        if v is None:
            self.value = n
        elif isinstance(v, str) or v % 100 != 0:
            self.value = f"{v}{n}"  # "nineteen ninety" is a year, not 109
        else:
            self.value = v + n

    def multiply(self, m: int) -> None:
        v = self.value
        if v is None:
            self.value = m
        elif isinstance(v, str) or v == 0:
            product = None if (f := _fraction(v)) is None else f * m
            if product is not None and product.denominator == 1:
                self.value = product.numerator  # "two point five million"
            else:
                self.flush()
                self.value = m
        else:
            # only the part below a thousand is scaled: "forty three thousand two hundred"
            self.value = v // 1000 * 1000 + v % 1000 * m

    def numeral(self, token: str) -> None:
        symbol = token[0] if token[0] in _SYMBOL_PREFIXES else ""
        digits = token[len(symbol) :]
        if self.value is not None:
            if isinstance(self.value, str) and self.value.endswith("."):
                self.value += digits  # "3 point 14"
                return
            self.flush()
        if symbol:
            self.prefix, self.sign_word = symbol, ""
        f = Fraction(digits)
        # keep leading zeros ("007"): Whisper's int() drops them, so its output is not a fixed point
        self.value = f.numerator if f.denominator == 1 and not digits.startswith("0") else digits
        if digits == "0":
            self.value = 0


def _read(words: Sequence[str]) -> list[str]:
    r = _Reader()
    skip = False
    for i, cur in enumerate(words):
        if skip:
            skip = False
            continue
        prev = words[i - 1] if i else None
        nxt = words[i + 1] if i + 1 < len(words) else None
        nxt_numeric = nxt is not None and _NUMERIC.fullmatch(nxt) is not None
        nxt_numberish = nxt_numeric or nxt in NUMBER_WORDS
        entry = LEXICON.get(cur)
        if entry is not None:
            kind, n, suffix = entry
            if kind == "zero":
                r.value = f"{r.text()}0"
            elif kind == "one":
                r.small(n, prev)
            elif kind == "ten":
                r.tens(n)
            else:
                r.multiply(n)
            if suffix:
                r.flush(suffix)
        elif _NUMERIC.fullmatch(cur[1:] if cur[0] in _SYMBOL_PREFIXES else cur):
            r.numeral(cur)
        elif cur in _SIGNS:
            r.flush()
            r.release_sign()
            if nxt_numberish:
                r.prefix, r.sign_word = _SIGNS[cur], cur
            else:
                r.word(cur)
        elif cur in _CURRENCIES:
            if r.value is not None:
                r.prefix, r.sign_word = _CURRENCIES[cur], ""
                r.flush()
            else:
                r.word(cur)
        elif cur == "percent" and r.value is not None:
            r.flush("%")
        elif cur == "per" and r.value is not None and nxt == "cent":
            r.flush("%")
            skip = True
        elif cur in _SPECIALS and nxt_numberish:
            skip = _special(r, cur, prev, nxt, nxt_numeric)
        else:
            r.word(cur)
    r.flush()
    r.release_sign()
    return r.out


def _special(r: _Reader, cur: str, prev: str | None, nxt: str | None, nxt_numeric: bool) -> bool:
    """Handle "and", "double", "triple", "point" before a number word; True when `nxt` was consumed."""
    if cur == "and":
        if prev not in _MULTS_BASE:  # "one hundred and three" keeps going, "five and six" does not
            r.word(cur)
    elif cur in ("double", "triple"):
        if nxt in _ONES_BASE:
            digit = LEXICON[nxt][1]
            r.value = f"{r.text()}{str(digit) * (2 if cur == 'double' else 3)}"
            return True
        r.word(cur)
    elif nxt in DECIMAL_WORDS or nxt_numeric:  # "point"
        r.value = f"{r.text()}."
    else:
        r.word(cur)
    return False


_MULT_ALT = "|".join(sorted(_MULTS, key=len, reverse=True))
_AND_A_HALF = re.compile(r"(\S+)(\s+)and\s+a\s+half\b")
_HALF_A = re.compile(rf"\b(?:a\s+half\s+|half\s+(?:a\s+)?)({_MULT_ALT})\b")
_LETTER_DIGIT = re.compile(r"([a-z])([0-9])")
_DIGIT_LETTER = re.compile(r"([0-9])([a-z])")
_DIGIT_SUFFIX = re.compile(r"([0-9])\s+(st|nd|rd|th|s)\b")
_CENTS_JOIN = re.compile(r"([€£$])([0-9]+) (?:and )?¢([0-9]{1,2})\b")
_ZERO_UNITS = re.compile(r"[€£$]0\.([0-9]{1,2})\b")
_DIGITS = frozenset("0123456789")


def _half(m: re.Match[str]) -> str:
    word = m.group(1)
    if word in DECIMAL_WORDS or word in _MULTS_BASE:
        return f"{word}{m.group(2)}point five"
    return m.group(0)


def standardize_numbers(words: list[str]) -> list[str]:
    """Rewrite spelled-out numbers as digits in the words of lower-cased, punctuation-free English."""
    if NUMBER_WORDS.isdisjoint(words) and _DIGITS.isdisjoint("".join(words)):
        return words  # most sentences hold no number: skip the regex passes
    s = _AND_A_HALF.sub(_half, " ".join(words))
    s = _HALF_A.sub(r"0.5 \1", s)
    s = _LETTER_DIGIT.sub(r"\1 \2", s)  # "b747" -> "b 747", "10km" -> "10 km"
    s = _DIGIT_LETTER.sub(r"\1 \2", s)
    s = _DIGIT_SUFFIX.sub(r"\1\2", s)  # ...but "10 th" -> "10th"
    s = " ".join(_read(s.split()))
    s = _CENTS_JOIN.sub(lambda m: f"{m.group(1)}{m.group(2)}.{int(m.group(3)):02d}", s)  # "$2 and ¢7" -> "$2.07"
    s = _ZERO_UNITS.sub(lambda m: f"¢{int(m.group(1))}", s)  # "$0.36" -> "¢36"
    return spell_lone_ones(s.split())


def spell_lone_ones(words: list[str]) -> list[str]:
    """Write a free-standing "1"/"1s" as "one"/"ones": "one" is as often a pronoun as a number.

    Not next to another number, though: "0 one" would read as 1 when normalised again.
    """
    for i, word in enumerate(words):
        if word in ("1", "1s"):
            neighbours = words[max(i - 1, 0) : i] + words[i + 1 : i + 2]
            if not any(n[0].isdigit() or n[0] in _SYMBOL_PREFIXES for n in neighbours):
                words[i] = "one" if word == "1" else "ones"
    return words
