"""The Open ASR Leaderboard's English normaliser, rule for rule, in each of its published versions.

The leaderboard scores with its copy of Whisper's ``EnglishTextNormalizer`` (``normalizer/normalizer.py``
in github.com/huggingface/open_asr_leaderboard) and its own British-to-American table
(``oal_spelling.json``, from its ``english_abbreviations.py``). To reproduce its WERs the output must
be the same string, quirks included, so this module follows Whisper's stages in Whisper's order and
keeps what ``english`` deliberately fixes ("nineth", "007" -> "7", no fixed point).

Two versions (``EnglishRules``):

- ``MARCH_2026`` (commit b45a5d9, 2026-03-23): lower case; bracketed and parenthesised text removed;
  fillers removed; contractions and titles rewritten (one regular expression each, in Whisper's
  order); commas inside numbers and periods outside them removed; NFKD with diacritics dropped and
  other marks, symbols and punctuation turned into spaces, except ``.%$¢€£``; spoken numbers turned
  into digits (``_Numbers``); British spellings made American; stray currency and percent signs
  removed; runs of whitespace collapsed (leading and trailing spaces can remain, as in Whisper).
- ``JUNE_2026`` (unchanged on main from 8d338ca, 2026-06-24, to d1e99b2, 2026-08-21): the same,
  with 19 more fillers (ah, eh, huh, umm...), "'s" expanded to "is" only after 13 pronouns and
  adverbs (it's, that's, where's...; "john's" stays), 16 split compounds joined after the symbol
  stage ("wi fi" -> "wifi", "a m" -> "am"), three more spellings (ok, kay -> okay; etcetera -> etc)
  and "flyer" -> "flier", then name variants collapsed (``oal_names.json``: "jon" -> "john") and
  runs of single letters or digits joined into one word ("b b c" -> "bbc"; a run holding "a" or "i"
  needs three tokens).

``tests/metrics/test_oal_equality.py`` checks both against the leaderboard's own code.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from asr_registry.metrics._oal_numbers import standardize_numbers

_BRACKETS = re.compile(r"[<\[][^>\]]*[>\]]")
_PARENS = re.compile(r"\(([^)]+?)\)")
_FILLERS_2026_03 = "hmm mm mhm mmm uh um"
_FILLERS_2026_06 = _FILLERS_2026_03 + " ah aha ahh ahm eh ehehe em hm huh hum mhum uhm umm uhuh"
_SPACE_APOSTROPHE = re.compile(r"\s+'")
_TITLES = (
    ("mr", "mister"),
    ("mrs", "missus"),
    ("st", "saint"),
    ("dr", "doctor"),
    ("prof", "professor"),
    ("capt", "captain"),
    ("gov", "governor"),
    ("ald", "alderman"),
    ("gen", "general"),
    ("sen", "senator"),
    ("rep", "representative"),
    ("pres", "president"),
    ("rev", "reverend"),
    ("hon", "honorable"),
    ("asst", "assistant"),
    ("assoc", "associate"),
    ("lt", "lieutenant"),
    ("col", "colonel"),
    ("jr", "junior"),
    ("sr", "senior"),
    ("esq", "esquire"),
)
_WHOLE_WORDS = (
    ("won't", "will not"),
    ("can't", "can not"),
    ("let's", "let us"),
    ("ain't", "aint"),
    ("y'all", "you all"),
    ("wanna", "want to"),
    ("gotta", "got to"),
    ("gonna", "going to"),
    ("i'ma", "i am going to"),
    ("imma", "i am going to"),
    ("woulda", "would have"),
    ("coulda", "could have"),
    ("shoulda", "should have"),
    ("ma'am", "madam"),
)
_ENDINGS = (
    (r"'d been\b", " had been"),
    (r"'s been\b", " has been"),
    (r"'d gone\b", " had gone"),
    (r"'s gone\b", " has gone"),
    (r"'d done\b", " had done"),
    (r"'s got\b", " has got"),
    (r"n't\b", " not"),
    (r"'re\b", " are"),
    (r"'s\b", " is"),
    (r"'d\b", " would"),
    (r"'ll\b", " will"),
    (r"'t\b", " not"),
    (r"'ve\b", " have"),
    (r"'m\b", " am"),
)
_DIGIT_COMMA = re.compile(r"(\d),(\d)")
_PERIOD = re.compile(r"\.([^0-9]|$)")
_KEEP = frozenset(".%$¢€£")
_SEPARATE_LETTERS = {
    "œ": "oe",
    "Œ": "OE",
    "ø": "o",
    "Ø": "O",
    "æ": "ae",
    "Æ": "AE",
    "ß": "ss",
    "ẞ": "SS",
    "đ": "d",
    "Đ": "D",
    "ð": "d",
    "Ð": "D",
    "þ": "th",
    "Þ": "th",
    "ł": "l",
    "Ł": "L",
}
_STRAY_PREFIX = re.compile(r"[.$¢€£]([^0-9])")
_STRAY_PERCENT = re.compile(r"([^0-9])%")
_SPACES = re.compile(r"\s+")


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


@dataclass(frozen=True)
class EnglishRules:
    """What one version of the leaderboard's English normaliser does beyond the shared stages."""

    version: str
    fillers: str  # space-separated, in the leaderboard's order
    possessive_is: str | None  # words whose "'s" becomes " is"; None: every "'s"
    spelling_edits: tuple[tuple[str, str | None], ...]  # changes to oal_spelling.json (None: removed)
    compounds: tuple[tuple[str, str], ...]  # split forms joined after the symbol stage
    names: bool  # collapse name variants (oal_names.json)
    acronyms: bool  # join runs of single letters or digits


MARCH_2026 = EnglishRules("2026.03", _FILLERS_2026_03, None, (), (), names=False, acronyms=False)
JUNE_2026 = EnglishRules(
    "2026.06",
    _FILLERS_2026_06,
    "it he she what that who here there how when where why this",
    (("ok", "okay"), ("kay", "okay"), ("etcetera", "etc"), ("flyer", "flier"), ("flyer / flier", None)),
    (
        ("et cetera", "etc"),
        ("al right", "alright"),
        ("all right", "alright"),
        ("how ever", "however"),
        ("wi fi", "wifi"),
        ("hi fi", "hifi"),
        ("lo fi", "lofi"),
        ("sci fi", "scifi"),
        ("e mail", "email"),
        ("e book", "ebook"),
        ("e commerce", "ecommerce"),
        ("x ray", "xray"),
        ("t shirt", "tshirt"),
        ("a m", "am"),
        ("p m", "pm"),
        ("o k", "okay"),
    ),
    names=True,
    acronyms=True,
)


@cache
def _table(name: str) -> dict[str, str]:
    table: dict[str, str] = json.loads(files("asr_registry.metrics").joinpath(name).read_text(encoding="utf-8"))
    return table


def spelling_table(rules: EnglishRules = MARCH_2026) -> dict[str, str]:
    """The leaderboard's British-to-American table (Whisper's, with the leaderboard's edits) in a version."""
    return _spelling_table(rules)


@cache
def _spelling_table(rules: EnglishRules) -> dict[str, str]:
    table = dict(_table("oal_spelling.json"))
    for word, american in rules.spelling_edits:
        if american is None:
            table.pop(word)
        else:
            table[word] = american
    return table


def name_table() -> dict[str, str]:
    """Name spelling variants and the form each collapses to (the leaderboard's ``english_name_normalizer``)."""
    return _table("oal_names.json")


@dataclass(frozen=True)
class _Compiled:
    fillers: re.Pattern[str]
    rewrites: tuple[tuple[re.Pattern[str], str], ...]
    compounds: tuple[tuple[re.Pattern[str], str], ...]
    spellings: dict[str, str]
    names: dict[str, str]


def rewrites(rules: EnglishRules = MARCH_2026) -> tuple[tuple[re.Pattern[str], str], ...]:
    """Contractions and titles, in Whisper's order; a title leaves a trailing space."""
    endings: list[tuple[str, str]] = list(_ENDINGS)
    if rules.possessive_is is not None:
        words = "|".join(rules.possessive_is.split())
        endings[endings.index((r"'s\b", " is"))] = (rf"\b({words})'s\b", r"\1 is")
    return (
        *((re.compile(rf"\b{re.escape(word)}\b"), out) for word, out in _WHOLE_WORDS),
        *((re.compile(rf"\b{word}\b"), f"{out} ") for word, out in _TITLES),
        *((re.compile(pattern), out) for pattern, out in endings),
    )


REWRITES = rewrites(MARCH_2026)


@cache
def _compiled(rules: EnglishRules) -> _Compiled:
    return _Compiled(
        fillers=re.compile(rf"\b({'|'.join(rules.fillers.split())})\b"),
        rewrites=rewrites(rules),
        compounds=tuple(
            (re.compile(r"\b" + r"\s+".join(split.split()) + r"\b"), joined) for split, joined in rules.compounds
        ),
        spellings=_spelling_table(rules),
        names=name_table() if rules.names else {},
    )


def join_acronyms(s: str) -> str:
    """Join runs of one-character words ("b b c" -> "bbc"); a run holding "a" or "i" needs three."""
    words = s.split()
    out: list[str] = []
    i = 0
    while i < len(words):
        j = i
        while j < len(words) and len(words[j]) == 1 and words[j].isalnum():
            j += 1
        if j == i:
            out.append(words[i])
            i += 1
            continue
        run = words[i:j]
        if len(run) >= (3 if "a" in run or "i" in run else 2):
            out.append("".join(run))
        else:
            out.extend(run)
        i = j
    return " ".join(out)


def oal_english(text: str, rules: EnglishRules = MARCH_2026) -> str:
    """The leaderboard's ``EnglishTextNormalizer()(text)`` in the version `rules` names."""
    c = _compiled(rules)
    s = text.lower()
    s = _BRACKETS.sub("", s)
    s = _PARENS.sub("", s)
    s = c.fillers.sub("", s)
    s = _SPACE_APOSTROPHE.sub("'", s)
    for pattern, replacement in c.rewrites:
        s = pattern.sub(replacement, s)
    s = _DIGIT_COMMA.sub(r"\1\2", s)
    s = _PERIOD.sub(r" \1", s)
    s = _symbols_and_diacritics(s)
    for pattern, joined in c.compounds:
        s = pattern.sub(joined, s)
    s = standardize_numbers(s)
    s = " ".join(c.spellings.get(word, word) for word in s.split())
    if rules.names:
        s = " ".join(c.names.get(word, word) for word in s.split())
    if rules.acronyms:
        s = join_acronyms(s)
    s = _STRAY_PREFIX.sub(r" \1", s)
    s = _STRAY_PERCENT.sub(r"\1 ", s)
    return _SPACES.sub(" ", s)


def leaderboard_english(text: str) -> str:
    """The March 2026 version (``oal_english(text, MARCH_2026)``)."""
    return oal_english(text, MARCH_2026)


def leaderboard_english_2026_06(text: str) -> str:
    """The June 2026 version, current at the leaderboard's latest commit."""
    return oal_english(text, JUNE_2026)
