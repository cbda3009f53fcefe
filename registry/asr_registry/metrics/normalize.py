"""Text normalisation before scoring, one normaliser per language family.

A WER means little without the normaliser it was computed with, so each normaliser carries a name
and a version that reports record (``english@1``). Bump the version whenever output changes.

- ``english``: the behaviour of Whisper's ``EnglishTextNormalizer`` as used by the Open ASR
  Leaderboard: lower case; bracketed and parenthesised text removed; fillers (uh, um, hmm, mm, mhm)
  removed; contractions expanded (won't -> will not, 're -> are, 's -> is, 's been -> has been);
  titles spelled out (mr -> mister); spoken numbers as digits (see ``_english_numbers``); British
  spellings made American (see ``_spelling``); diacritics and punctuation removed except in numbers
  and currency. Additions: curly apostrophes count as apostrophes, ellipses are dropped, dotted
  initialisms are joined ("u.s.a." -> "usa") as the leaderboard's copy of the normaliser does, a
  written sign stays on its number ("-5" like "minus five"), and the output is a fixed point
  (normalising it again changes nothing), which Whisper's is not for inputs like "0uh" or "%five".
- ``basic``: every other language. NFKC (folds compatibility forms: full-width letters, ligatures,
  superscripts), case folding, bracketed text removed, every punctuation (P*) and symbol (S*)
  character replaced by a space. Diacritics and combining marks are kept: they are part of the
  spelling in most languages (é, ñ, Devanagari vowel signs), unlike Whisper's default, which turns
  marks into spaces and so splits Indic words apart.
- ``leaderboard-english``: the Open ASR Leaderboard's English normaliser exactly (Whisper's
  ``EnglishTextNormalizer`` with the leaderboard's spelling table, see ``_oal_english``),
  quirks included, for reproducing its WERs. Two versions: ``leaderboard-english@2026.03`` (the
  default under the bare name, as in March 2026) and ``leaderboard-english@2026.06`` (fillers,
  "'s", compounds, names, acronyms; current at the leaderboard's latest commit). The bench uses it
  on the leaderboard's sets; ``metrics.scoring`` pairs each version with its scorer.
- ``whisper-basic``: Whisper's ``BasicTextNormalizer()`` exactly.
- ``leaderboard-basic``: the leaderboard's multilingual normaliser (``whisper-basic``, then every
  character that is neither a word character nor a space removed, trimmed). The leaderboard also
  spells digits out in the set's language (num2words) and joins compound pairs before scoring;
  neither is done here (see the README).
- ``basic-chars``: ``basic``, then every character (a base with its combining marks) becomes a
  token. Used for languages written without spaces between words (zh, ja, yue, th, lo, my, km), so
  a "word" error rate computed on its output is a character error rate.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from asr_registry.catalog.languages import normalize_language
from asr_registry.metrics._english import english
from asr_registry.metrics._oal_english import leaderboard_english, leaderboard_english_2026_06
from asr_registry.metrics._text import CharTable, leaderboard_basic, remove_bracketed, whisper_basic

CHARACTER_LANGUAGES = frozenset({"zh", "ja", "yue", "th", "lo", "my", "km"})


@dataclass(frozen=True)
class Normalizer:
    """A named, versioned text normaliser; call it on a string."""

    name: str
    version: str
    transform: Callable[[str], str] = field(repr=False, compare=False)
    splits_characters: bool = False  # output tokens are characters, so WER on it is a CER

    def __call__(self, text: str) -> str:
        return self.transform(text)

    @property
    def label(self) -> str:
        """What a report records, e.g. ``english@1``."""
        return f"{self.name}@{self.version}"


def _basic_char(c: str) -> str | None:
    return " " if unicodedata.category(c)[0] in "PS" else c


_BASIC_TABLE = CharTable(_basic_char)


def _basic(text: str) -> str:
    s = unicodedata.normalize("NFKC", text).casefold()
    s = remove_bracketed(s)
    # removing a symbol can leave a combining mark next to a new base, which NFKC may compose:
    # normalising again makes the output a fixed point
    s = unicodedata.normalize("NFKC", s.translate(_BASIC_TABLE))
    return " ".join(s.split())


def _split_characters(text: str) -> str:
    """One token per character, combining marks staying with their base (Thai vowels, tone marks)."""
    tokens: list[str] = []
    previous = " "
    for c in text:
        if c.isspace():
            pass
        elif not previous.isspace() and unicodedata.category(c)[0] == "M":
            tokens[-1] += c
        else:
            tokens.append(c)  # a mark after a space stays alone: joining it would compose a new letter
        previous = c
    return " ".join(tokens)


def _basic_chars(text: str) -> str:
    return _split_characters(_basic(text))


ENGLISH = Normalizer(name="english", version="1", transform=english)
BASIC = Normalizer(name="basic", version="1", transform=_basic)
BASIC_CHARS = Normalizer(name="basic-chars", version="1", transform=_basic_chars, splits_characters=True)
LEADERBOARD_ENGLISH = Normalizer(name="leaderboard-english", version="2026.03", transform=leaderboard_english)
WHISPER_BASIC = Normalizer(name="whisper-basic", version="1", transform=whisper_basic)
LEADERBOARD_BASIC = Normalizer(name="leaderboard-basic", version="2026.03", transform=leaderboard_basic)
LEADERBOARD_ENGLISH_2026_06 = Normalizer(
    name="leaderboard-english", version="2026.06", transform=leaderboard_english_2026_06
)
NORMALIZERS = {n.name: n for n in (ENGLISH, BASIC, BASIC_CHARS, LEADERBOARD_ENGLISH, WHISPER_BASIC, LEADERBOARD_BASIC)}
# every normaliser under its label too ("leaderboard-english@2026.06"), older versions included
LABELLED = {n.label: n for n in (*NORMALIZERS.values(), LEADERBOARD_ENGLISH_2026_06)}


@cache
def get_normalizer(language: str) -> Normalizer:
    """The normaliser for a language code ("en", "en-US", "zh") or English name ("German").

    A normaliser name ("english", "basic", "basic-chars", "leaderboard-english"...) or label
    ("leaderboard-english@2026.06") is accepted too; any other language gets ``basic``.
    """
    key = language.strip().lower()
    if not key:
        raise ValueError("language must not be empty")
    if key in NORMALIZERS:
        return NORMALIZERS[key]
    if key in LABELLED:
        return LABELLED[key]
    code = normalize_language(key) or normalize_language(re.split(r"[-_]", key)[0]) or key
    if code == "en":
        return ENGLISH
    return BASIC_CHARS if code in CHARACTER_LANGUAGES else BASIC
