"""Scoring versions: a named normaliser and scorer pair, so a WER says how it was computed.

A leaderboard WER is only comparable with one scored the same way. Each version of the Open ASR
Leaderboard's scoring is kept under its date and selectable by name:

- ``oal-2026-03``: the English normaliser at commit b45a5d9 (2026-03-23) and plain Levenshtein
  word alignment (``evaluate``'s ``wer``, i.e. jiwer). The catalog's March 2026 snapshot was
  scored this way. Other languages: ``leaderboard-basic``, digits spelled out in the language and
  compound pairs joined (``_oal_multilingual``), in this version and the next.
- ``oal-2026-06``: the English normaliser as changed in April-June 2026 (fillers, "'s", names,
  acronyms, compounds; unchanged on main since 8d338ca, 2026-06-24) and
  ``kaldialign.batch_error_rate(..., merge_compounds=True)`` (since 6962cd2, 2026-06-11), both as
  at the leaderboard's latest commit, d1e99b2 (2026-08-21). The current version.

Any plain normaliser name (``english``, ``basic``...) is a version too, scored with Levenshtein.
``tests/metrics/test_oal_equality.py`` proves each leaderboard version equal to the leaderboard's code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, partial

from asr_registry.catalog.languages import normalize_language
from asr_registry.metrics._oal_multilingual import join_compound_pairs, leaderboard_multilingual
from asr_registry.metrics.normalize import NORMALIZERS, Normalizer, get_normalizer
from asr_registry.metrics.wer import WerResult, score

REPOSITORY = "github.com/huggingface/open_asr_leaderboard"
# other languages: leaderboard-basic, digits as words in the language, compound pairs joined
MULTILINGUAL = "leaderboard-multilingual"


@cache
def _multilingual(language: str) -> Normalizer:
    return Normalizer(MULTILINGUAL, f"2026.03-{language}", partial(leaderboard_multilingual, language=language))


@dataclass(frozen=True)
class ScoringVersion:
    """A normaliser (per language) and a scorer, named, with where they come from."""

    name: str
    english: str  # normaliser label for English
    other: str  # normaliser label for every other language
    merge_compounds: bool  # kaldialign's compound merging (else plain Levenshtein)
    source: str

    @property
    def scorer(self) -> str:
        return "kaldi-compounds" if self.merge_compounds else "levenshtein"

    def normalizer(self, language: str = "en") -> Normalizer:
        """The normaliser this version applies to `language` (an English name or a code)."""
        if get_normalizer(language).name == "english":
            return get_normalizer(self.english)
        if self.other == MULTILINGUAL:
            return _multilingual(normalize_language(language) or language)
        return get_normalizer(self.other)

    def score(
        self,
        references: Sequence[str],
        hypotheses: Sequence[str],
        language: str = "en",
        resamples: int = 1000,
        seed: int = 0,
        with_cer: bool = True,
    ) -> WerResult:
        """``wer.score`` with this version's normaliser and scorer."""
        normalizer = self.normalizer(language)
        return score(
            references,
            hypotheses,
            language,
            resamples,
            seed,
            with_cer,
            normalizer=normalizer,
            merge_compounds=self.merge_compounds,
            pair_step=join_compound_pairs if normalizer.name == MULTILINGUAL else None,
        )


OAL_2026_03 = ScoringVersion(
    "oal-2026-03",
    english="leaderboard-english@2026.03",
    other=MULTILINGUAL,
    merge_compounds=False,
    source=f"{REPOSITORY} b45a5d9 (2026-03-23): normalizer/normalizer.py, evaluate 'wer'",
)
OAL_2026_06 = ScoringVersion(
    "oal-2026-06",
    english="leaderboard-english@2026.06",
    other=MULTILINGUAL,
    merge_compounds=True,
    source=(
        f"{REPOSITORY} d1e99b2 (2026-08-21; normaliser unchanged since 8d338ca, 2026-06-24): "
        "normalizer/normalizer.py, kaldialign.batch_error_rate(merge_compounds=True) in normalizer/eval_utils.py"
    ),
)
LEADERBOARD_VERSIONS = {v.name: v for v in (OAL_2026_03, OAL_2026_06)}
CURRENT = OAL_2026_06


class UnknownScoring(ValueError):
    """A scoring version or normaliser name that does not exist."""


def scoring_version(name: str) -> ScoringVersion:
    """A leaderboard version by name ("oal-2026-06"), or a plain normaliser ("english") with Levenshtein."""
    key = name.strip().lower()
    if key in LEADERBOARD_VERSIONS:
        return LEADERBOARD_VERSIONS[key]
    if key in NORMALIZERS or "@" in key:
        try:
            normalizer = get_normalizer(key)
        except ValueError as exc:
            raise UnknownScoring(str(exc)) from None
        if normalizer.name != key.split("@")[0]:
            raise UnknownScoring(f"unknown normaliser {name!r}")
        label = normalizer.label
        return ScoringVersion(normalizer.name, label, label, False, "asr-registry (metrics/normalize.py)")
    known = ", ".join([*LEADERBOARD_VERSIONS, *NORMALIZERS])
    raise UnknownScoring(f"unknown normaliser {name!r}; known: {known}")


def available() -> list[ScoringVersion]:
    """Every selectable version: the leaderboard's, newest first, then the plain normalisers."""
    versions = sorted(LEADERBOARD_VERSIONS.values(), key=lambda v: v.name, reverse=True)
    return versions + [scoring_version(name) for name in NORMALIZERS]
