"""The Open ASR Leaderboard's multilingual steps: digits as number words, and compound pairs joined.

Both versions (2026-03 and 2026-06) score a non-English set this way (``normalizer/data_utils.py``
and ``normalizer/eval_utils.py`` in github.com/huggingface/open_asr_leaderboard):

1. ``leaderboard-basic`` (``BasicMultilingualTextNormalizer(remove_diacritics=False)``), then digits
   spelled out in the set's language: a digit followed by whitespace and three digits at a word end
   is joined once ("10 000" -> "10000"; the rule is applied in one pass, so "1 000 000" keeps a
   gap), then every run of digits becomes ``num2words(int(run), lang=...)``, a run left as it is
   where num2words cannot spell it (an unknown language, say).
2. Per reference/prediction pair, the word sequences are matched with ``difflib.SequenceMatcher``;
   in each region that differs, when both sides spell the same characters once spaces are removed
   ("hand schuh" against "handschuh"), both become the joined form.

num2words is a scoring dependency (the ``scoring`` extra), imported only when digits are spelled.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher
from functools import cache

from asr_registry.metrics._text import leaderboard_basic

_THOUSANDS_GAP = re.compile(r"(\d)\s+(\d{3})\b")
_DIGITS = re.compile(r"\d+")


@cache
def _spell(run: str, language: str) -> str:
    from num2words import num2words

    try:
        return str(num2words(int(run), lang=language))
    except Exception:  # the leaderboard keeps the digits whenever num2words fails, whatever the reason
        return run


def number_words(text: str, language: str) -> str:
    """Digits as words in `language` (an ISO 639-1 code num2words knows)."""
    text = _THOUSANDS_GAP.sub(r"\1\2", text)
    return _DIGITS.sub(lambda m: _spell(m.group(), language), text)


def leaderboard_multilingual(text: str, language: str) -> str:
    """The leaderboard's ``ml_normalizer(text, lang=language)``."""
    return number_words(leaderboard_basic(text), language)


def join_compound_pairs(references: Sequence[str], hypotheses: Sequence[str]) -> tuple[list[str], list[str]]:
    """Both sides of every differing region that is one word split differently, joined."""
    refs, hyps = [], []
    for reference, hypothesis in zip(references, hypotheses, strict=True):
        ref_words, hyp_words = reference.split(), hypothesis.split()
        new_ref: list[str] = []
        new_hyp: list[str] = []
        for tag, i1, i2, j1, j2 in SequenceMatcher(None, ref_words, hyp_words).get_opcodes():
            joined_ref, joined_hyp = "".join(ref_words[i1:i2]), "".join(hyp_words[j1:j2])
            if tag != "equal" and joined_ref == joined_hyp:
                new_ref.append(joined_ref)
                new_hyp.append(joined_hyp)
            else:
                new_ref.extend(ref_words[i1:i2])
                new_hyp.extend(hyp_words[j1:j2])
        refs.append(" ".join(new_ref))
        hyps.append(" ".join(new_hyp))
    return refs, hyps
