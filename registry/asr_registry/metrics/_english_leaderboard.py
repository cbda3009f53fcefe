"""The Open ASR Leaderboard's English normaliser, rule for rule: Whisper's ``EnglishTextNormalizer``.

The leaderboard scores with its copy of Whisper's normaliser (``normalizer/normalizer.py`` in
github.com/huggingface/open_asr_leaderboard, as of 2026-03, commit b45a5d9) and its own
British-to-American table (``leaderboard_spelling.json``, from its ``english_abbreviations.py``).
To reproduce its WERs the output must be the same string, quirks included, so this module
follows Whisper's stages in Whisper's order and keeps what ``english`` deliberately fixes
("nineth", "007" -> "7", no fixed point). ``tests/metrics/test_normalize_leaderboard.py``
checks it against the ``transformers`` implementation string for string.

Stages: lower case; bracketed and parenthesised text removed; fillers removed; contractions and
titles rewritten (one regular expression each, in Whisper's order); commas inside numbers and
periods outside them removed; NFKD with diacritics dropped and other marks, symbols and
punctuation turned into spaces, except ``.%$¢€£``; spoken numbers turned into digits
(``_LeaderboardNumbers``); British spellings made American; stray currency signs and percent
signs removed; runs of whitespace collapsed (leading and trailing spaces can remain, as in Whisper).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator, Sequence
from fractions import Fraction
from functools import cache
from importlib.resources import files

_BRACKETS = re.compile(r"[<\[][^>\]]*[>\]]")
_PARENS = re.compile(r"\(([^)]+?)\)")
_FILLERS = re.compile(r"\b(hmm|mm|mhm|mmm|uh|um)\b")
_SPACE_APOSTROPHE = re.compile(r"\s+'")
_TITLES = (
    ("mr", "mister"), ("mrs", "missus"), ("st", "saint"), ("dr", "doctor"), ("prof", "professor"),
    ("capt", "captain"), ("gov", "governor"), ("ald", "alderman"), ("gen", "general"), ("sen", "senator"),
    ("rep", "representative"), ("pres", "president"), ("rev", "reverend"), ("hon", "honorable"),
    ("asst", "assistant"), ("assoc", "associate"), ("lt", "lieutenant"), ("col", "colonel"), ("jr", "junior"),
    ("sr", "senior"), ("esq", "esquire"),
)  # fmt: skip
_WHOLE_WORDS = (
    ("won't", "will not"), ("can't", "can not"), ("let's", "let us"), ("ain't", "aint"), ("y'all", "you all"),
    ("wanna", "want to"), ("gotta", "got to"), ("gonna", "going to"), ("i'ma", "i am going to"),
    ("imma", "i am going to"), ("woulda", "would have"), ("coulda", "could have"), ("shoulda", "should have"),
    ("ma'am", "madam"),
)  # fmt: skip
_ENDINGS = (
    (r"'d been\b", " had been"), (r"'s been\b", " has been"), (r"'d gone\b", " had gone"),
    (r"'s gone\b", " has gone"), (r"'d done\b", " had done"), (r"'s got\b", " has got"),
    (r"n't\b", " not"), (r"'re\b", " are"), (r"'s\b", " is"), (r"'d\b", " would"), (r"'ll\b", " will"),
    (r"'t\b", " not"), (r"'ve\b", " have"), (r"'m\b", " am"),
)  # fmt: skip
# Whisper applies these in this order, each over the whole sentence; a title leaves a trailing space.
REWRITES: tuple[tuple[re.Pattern[str], str], ...] = (
    *((re.compile(rf"\b{re.escape(word)}\b"), out) for word, out in _WHOLE_WORDS),
    *((re.compile(rf"\b{word}\b"), f"{out} ") for word, out in _TITLES),
    *((re.compile(pattern), out) for pattern, out in _ENDINGS),
)
_DIGIT_COMMA = re.compile(r"(\d),(\d)")
_PERIOD = re.compile(r"\.([^0-9]|$)")
_KEEP = frozenset(".%$¢€£")
_SEPARATE_LETTERS = {"œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "ß": "ss", "ẞ": "SS",
                     "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "th", "ł": "l", "Ł": "L"}  # fmt: skip
_STRAY_PREFIX = re.compile(r"[.$¢€£]([^0-9])")
_STRAY_PERCENT = re.compile(r"([^0-9])%")
_SPACES = re.compile(r"\s+")


@cache
def spelling_table() -> dict[str, str]:
    """The leaderboard's British-to-American table (Whisper's, with the leaderboard's edits)."""
    text = files("asr_registry.metrics").joinpath("leaderboard_spelling.json").read_text(encoding="utf-8")
    table: dict[str, str] = json.loads(text)
    return table


class _CharDecisions(dict[int, str]):
    """``str.translate`` table for the symbol/diacritic stage, each code point decided once."""

    def __missing__(self, code: int) -> str:
        c = chr(code)
        if c in _KEEP:
            out = c
        elif c in _SEPARATE_LETTERS:
            out = _SEPARATE_LETTERS[c]
        else:
            category = unicodedata.category(c)
            out = "" if category == "Mn" else " " if category[0] in "MSP" else c
        self[code] = out
        return out


_CHARS = _CharDecisions()


def _symbols_and_diacritics(s: str) -> str:
    return unicodedata.normalize("NFKD", s).translate(_CHARS)


# ------------------------------------------------------------------ numbers


def _w(block: str) -> list[str]:
    return block.split()


_ONES = dict(zip(_w(
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen"), range(1, 20), strict=True,
))  # fmt: skip
_TENS = dict(zip(_w("twenty thirty forty fifty sixty seventy eighty ninety"), range(20, 100, 10), strict=True))
_MULTS = dict(zip(_w(
    "hundred thousand million billion trillion quadrillion quintillion sextillion septillion octillion "
    "nonillion decillion"), [100, *(1000**p for p in range(1, 12))], strict=True,
))  # fmt: skip
_ZEROS = frozenset({"o", "oh", "zero"})
# Suffixed forms: plurals and ordinals. Whisper builds ordinals by appending "th" (or "h" after a
# "t"), so "nine" gives "nineth", and "ninth" is no number word at all.
_ONES_SUFFIXED = {("sixes" if w == "six" else w + "s"): (v, "s") for w, v in _ONES.items()}
_ONES_SUFFIXED |= {"zeroth": (0, "th"), "first": (1, "st"), "second": (2, "nd"), "third": (3, "rd"),
                   "fifth": (5, "th"), "twelfth": (12, "th")}  # fmt: skip
_ONES_SUFFIXED |= {
    w + ("h" if w.endswith("t") else "th"): (v, "th") for w, v in _ONES.items() if v > 3 and v not in (5, 12)
}
_TENS_SUFFIXED = {w.replace("y", "ies"): (v, "s") for w, v in _TENS.items()}
_TENS_SUFFIXED |= {w.replace("y", "ieth"): (v, "th") for w, v in _TENS.items()}
_MULTS_SUFFIXED = {w + "s": (v, "s") for w, v in _MULTS.items()} | {w + "th": (v, "th") for w, v in _MULTS.items()}
_DECIMALS = frozenset({*_ONES, *_TENS, *_ZEROS})
_SIGNS = {"minus": "-", "negative": "-", "plus": "+", "positive": "+"}
_CURRENCIES = {"pound": "£", "pounds": "£", "euro": "€", "euros": "€", "dollar": "$", "dollars": "$",
               "cent": "¢", "cents": "¢"}  # fmt: skip
_PREFIX_CHARS = frozenset({*_SIGNS.values(), *_CURRENCIES.values()})
_SPECIALS = frozenset({"and", "double", "triple", "point"})
_NUMBER_WORDS = frozenset({
    *_ZEROS, *_ONES, *_ONES_SUFFIXED, *_TENS, *_TENS_SUFFIXED, *_MULTS, *_MULTS_SUFFIXED, *_SIGNS,
    *_CURRENCIES, "per", "percent", *_SPECIALS,
})  # fmt: skip
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

    def _word(self, current: str, prev: str | None, nxt: str | None, numeric_next: bool) -> Iterator[str]:
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

    def _special(self, current: str, prev: str | None, nxt: str | None, numeric_next: bool) -> Iterator[str]:
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


def leaderboard_english(text: str) -> str:
    s = text.lower()
    s = _BRACKETS.sub("", s)
    s = _PARENS.sub("", s)
    s = _FILLERS.sub("", s)
    s = _SPACE_APOSTROPHE.sub("'", s)
    for pattern, replacement in REWRITES:
        s = pattern.sub(replacement, s)
    s = _DIGIT_COMMA.sub(r"\1\2", s)
    s = _PERIOD.sub(r" \1", s)
    s = _symbols_and_diacritics(s)
    s = standardize_numbers(s)
    table = spelling_table()
    s = " ".join(table.get(word, word) for word in s.split())
    s = _STRAY_PREFIX.sub(r" \1", s)
    s = _STRAY_PERCENT.sub(r"\1 ", s)
    return _SPACES.sub(" ", s)
