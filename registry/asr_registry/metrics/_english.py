"""The English normaliser: Whisper's ``EnglishTextNormalizer`` behaviour, reorganised for speed.

Whisper runs some forty regular expressions over every sentence. Here the whole-word rewrites
(titles, fillers, "gonna") are one dict lookup per word, the contraction rules run only on words
holding an apostrophe, and each remaining pattern runs only when the sentence holds the character
it needs. The output is the same, except where ``normalize`` documents a deliberate difference.
"""

from __future__ import annotations

import re
import unicodedata

from asr_registry.metrics._english_numbers import standardize_numbers
from asr_registry.metrics._spelling import BRITISH_TO_AMERICAN
from asr_registry.metrics._text import CharTable, remove_bracketed

_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "‘": "'"})
_ELLIPSIS = re.compile(r"\.{3,}|…")
_SPACE_APOSTROPHE = re.compile(r"\s+'")
_PERFECT = re.compile(r"'s (been|gone|got)\b|'d (been|gone|done)\b")
_CONTRACTED = re.compile(r"\w+(?:'\w+)+")
_INITIALISM = re.compile(r"\b[a-z](?:\.[a-z])+\b\.?")
_DIGIT_COMMA = re.compile(r"(\d),(\d)")
_LOOSE_PERIOD = re.compile(r"\.(?!\d)")
_DIGIT = re.compile(r"\d")
_ASCII_DIGITS = frozenset("0123456789")
_DOT_LETTER = re.compile(r"\.[a-z]")
_CURRENCY_GAP = re.compile(r"([$¢€£])\s+(\d)")
_PERCENT_GAP = re.compile(r"(\d)\s+%")
_LOOSE_PREFIX = re.compile(r"[.$¢€£](?!\d)")
_LOOSE_PERCENT = re.compile(r"(?<!\d)%")
_STRAY_SIGN = re.compile(r"(?<=\S)[-+]|[-+](?!\.?\d)")
_NUMERIC_SYMBOLS = ".%$¢€£"
_SYMBOL_SET = frozenset(_NUMERIC_SYMBOLS)

_WORDS = {
    "won't": "will not",
    "can't": "can not",
    "let's": "let us",
    "ain't": "aint",
    "y'all": "you all",
    "i'ma": "i am going to",
    "ma'am": "madam",
    "wanna": "want to",
    "gotta": "got to",
    "gonna": "going to",
    "imma": "i am going to",
    "woulda": "would have",
    "coulda": "could have",
    "shoulda": "should have",
    "mr": "mister",
    "mrs": "missus",
    "st": "saint",
    "dr": "doctor",
    "prof": "professor",
    "capt": "captain",
    "gov": "governor",
    "ald": "alderman",
    "gen": "general",
    "sen": "senator",
    "rep": "representative",
    "pres": "president",
    "rev": "reverend",
    "hon": "honorable",
    "asst": "assistant",
    "assoc": "associate",
    "lt": "lieutenant",
    "col": "colonel",
    "jr": "junior",
    "sr": "senior",
    "esq": "esquire",
    # hesitations carry no content; Whisper drops exactly these
    "hmm": "",
    "mhm": "",
    "mmm": "",
    "uh": "",
    "um": "",  # and "mm", see _drop_mm
}
_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("n't", " not"),
    ("'re", " are"),
    ("'s", " is"),
    ("'d", " would"),
    ("'ll", " will"),
)
_SUFFIXES += (("'t", " not"), ("'ve", " have"), ("'m", " am"))

# Letters that Unicode decomposition leaves whole; Whisper spells them in ASCII too.
_LETTER_FOLDS = {"œ": "oe", "ø": "o", "æ": "ae", "ß": "ss", "đ": "d", "ð": "d", "þ": "th", "ł": "l"}


def _decide(c: str) -> str | None:
    if c in _NUMERIC_SYMBOLS or c in "+-":
        return c  # signs are settled by _STRAY_SIGN once the text is translated
    if c in _LETTER_FOLDS:
        return _LETTER_FOLDS[c]
    category = unicodedata.category(c)
    if category == "Mn":
        return None  # the accent of a decomposed letter: "café" -> "cafe"
    if category[0] in "MSP":
        return " "
    lower = c.lower()
    if lower == c:
        return c
    # a letter that NFKD revealed as upper case ("ℌ" -> "H") is folded like the rest of the text
    return "".join(ch for ch in unicodedata.normalize("NFKD", lower) if unicodedata.category(ch) != "Mn")


_TABLE = CharTable(_decide)


def _expand(m: re.Match[str]) -> str:
    token = m.group(0)
    if token in _WORDS:
        return _WORDS[token]
    tail = ""
    # peel contractions from the right: "shouldn't've" -> "should not have"
    while "'" in token:
        for suffix, expansion in _SUFFIXES:
            if token.endswith(suffix):
                token, tail = token[: -len(suffix)], expansion + tail
                break
        else:
            break
    return _WORDS.get(token, token) + tail


def _perfect(m: re.Match[str]) -> str:
    return f" has {m.group(1)}" if m.group(1) else f" had {m.group(2)}"


def english(text: str) -> str:
    s = remove_bracketed(text.lower().translate(_APOSTROPHES))
    if "…" in s or "..." in s:
        s = _ELLIPSIS.sub(" ", s)
    if "'" in s:
        s = _SPACE_APOSTROPHE.sub("'", s)  # "john 's" -> "john's"
        s = _PERFECT.sub(_perfect, s)
        s = _CONTRACTED.sub(_expand, s)
    if "." in s and _DOT_LETTER.search(s):
        s = _INITIALISM.sub(lambda m: m.group(0).replace(".", ""), s)  # "u.s.a." -> "usa"
    has_digit = not _ASCII_DIGITS.isdisjoint(s) if s.isascii() else _DIGIT.search(s) is not None
    if has_digit:
        if "," in s:
            s = _DIGIT_COMMA.sub(r"\1\2", s)  # "1,000" -> "1000"
        if "." in s:
            s = _LOOSE_PERIOD.sub(" ", s)  # a period survives only as a decimal point
    else:
        s = s.replace(".", " ")
    if not s.isascii():
        s = unicodedata.normalize("NFKD", s)
    s = s.translate(_TABLE)
    if "-" in s or "+" in s:
        s = _STRAY_SIGN.sub(" ", s)  # "-5" keeps its sign, "covid-19" and "a - b" do not
    words = s.split()
    # The word-level stages repeat until nothing changes, so that the output is a fixed point of
    # the normaliser: removing a stray symbol can expose a number word ("%five" -> "five"), and a
    # number can absorb a neighbour it could not reach before ("0 dollar dollar" -> "$0 dollar"),
    # splitting digits from letters can expose a filler ("0uh" -> "0 uh").
    # Text these stages leave unchanged goes through once.
    for _ in range(5):
        before = words
        if not _WORDS.keys().isdisjoint(words):
            # map(dict.get, words, words): whole-word lookups, each word its own default, run in C
            words = " ".join(map(_WORDS.get, words, words)).split()
        if "mm" in words:
            words = _drop_mm(words)
        words = standardize_numbers(words)
        if not BRITISH_TO_AMERICAN.keys().isdisjoint(words):
            words = list(map(BRITISH_TO_AMERICAN.get, words, words))
        if not _SYMBOL_SET.isdisjoint("".join(words)):
            words = _attach_symbols(" ".join(words)).split()
        if words is before or words == before:  # the identity test spares most sentences a comparison
            break
    return " ".join(words)


def _drop_mm(words: list[str]) -> list[str]:
    """Drop the filler "mm" but keep the unit after a number, as Whisper does for "10mm" -> "10 mm"."""
    return [w for i, w in enumerate(words) if w != "mm" or (i > 0 and words[i - 1][0].isdigit())]


def _attach_symbols(s: str) -> str:
    """Glue currency and percent signs to their numbers and drop those that have none."""
    s = _CURRENCY_GAP.sub(r"\1\2", s)
    s = _PERCENT_GAP.sub(r"\1%", s)
    s = _LOOSE_PREFIX.sub(" ", s)
    return _LOOSE_PERCENT.sub(" ", s)
