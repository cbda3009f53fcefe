"""Corpus word error rate: normalise, align, count, bootstrap.

Alignment is the word-level Levenshtein alignment of jiwer 4, computed by the same engine jiwer 4
calls (``rapidfuzz.distance.Levenshtein``), on the same input (each distinct word mapped to an
integer). Calling ``jiwer.process_words`` itself costs six times more on 10,000 utterances,
almost all of it spent building one Python object per alignment chunk; the tests check that
every count here equals jiwer's.

Empty references are ordinary utterances: every hypothesis word is an insertion, and they add no
reference words. An error rate over zero reference words is 0.0 without errors and inf with some.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz.distance import Levenshtein

from asr_registry.metrics.bootstrap import PairedResult, bootstrap_ci, error_rates, paired_bootstrap
from asr_registry.metrics.compound import edit_counts
from asr_registry.metrics.normalize import Normalizer, get_normalizer


@dataclass(frozen=True)
class ErrorCounts:
    """Edit operations that turn the references into the hypotheses, summed over utterances."""

    substitutions: int
    deletions: int
    insertions: int
    hits: int
    reference_words: int

    def __post_init__(self) -> None:
        if min(self.substitutions, self.deletions, self.insertions, self.hits) < 0:
            raise ValueError(f"negative count in {self}")
        if self.reference_words != self.hits + self.substitutions + self.deletions:
            raise ValueError(f"reference_words must equal hits + substitutions + deletions in {self}")

    @property
    def errors(self) -> int:
        return self.substitutions + self.deletions + self.insertions

    @property
    def wer(self) -> float:
        return float(error_rates(self.errors, self.reference_words))


@dataclass(frozen=True)
class WerResult:
    """A corpus WER with its bootstrap interval and what it was computed from.

    ``per_utterance`` holds each utterance's own WER; ``utterance_errors`` and
    ``utterance_ref_words`` hold the counts behind them, which is what a paired comparison needs.
    ``cer`` is over characters including the spaces between words, except for character-split
    normalisers (zh, ja...), whose spaces are only separators and are left out.
    """

    wer: float
    ci_low: float
    ci_high: float
    counts: ErrorCounts
    per_utterance: tuple[float, ...]
    cer: float | None
    normalizer: str
    n_utterances: int
    resamples: int
    utterance_errors: tuple[int, ...]
    utterance_ref_words: tuple[int, ...]
    confidence: float = 0.95
    seed: int = 0
    scorer: str = "levenshtein"  # or "kaldi-compounds": joined/split compounds match free
    utterance_substitutions: tuple[int, ...] = ()
    utterance_deletions: tuple[int, ...] = ()
    utterance_insertions: tuple[int, ...] = ()

    @property
    def sentence_error_rate(self) -> float:
        """The share of utterances with at least one error."""
        return sum(1 for e in self.utterance_errors if e) / self.n_utterances


@dataclass(frozen=True)
class Alignment:
    """Per-utterance edit counts of a set of tokenised reference/hypothesis pairs."""

    counts: ErrorCounts
    errors: tuple[int, ...]
    ref_words: tuple[int, ...]
    substitutions: tuple[int, ...] = ()
    deletions: tuple[int, ...] = ()
    insertions: tuple[int, ...] = ()


def align(
    references: Sequence[Sequence[str]], hypotheses: Sequence[Sequence[str]], merge_compounds: bool = False
) -> Alignment:
    """Align each reference token list with its hypothesis and count the edits.

    Plain Levenshtein (jiwer's counts) by default; with `merge_compounds`, Kaldi's alignment in
    which joined and split compounds match free (``compound.edit_counts``, the leaderboard's
    scorer since 2026-06).
    """
    if len(references) != len(hypotheses):
        raise ValueError(f"{len(references)} references but {len(hypotheses)} hypotheses")
    ids: dict[str, int] = {}

    def encode(tokens: Sequence[str]) -> list[int]:
        # integers compare exactly, where rapidfuzz would compare strings by their hashes
        return [ids.setdefault(t, len(ids)) for t in tokens]

    def levenshtein(ref: Sequence[str], hyp: Sequence[str]) -> tuple[int, int, int]:
        s = d = i = 0
        for tag, _, _ in Levenshtein.editops(encode(ref), encode(hyp)).as_list():
            if tag == "replace":
                s += 1
            elif tag == "delete":
                d += 1
            else:
                i += 1
        return s, d, i

    count = edit_counts if merge_compounds else levenshtein
    per_utterance = [count(ref, hyp) for ref, hyp in zip(references, hypotheses, strict=True)]
    subs, dels, ins = (tuple(column) for column in zip(*per_utterance, strict=True)) if per_utterance else ((), (), ())
    ref_words = tuple(len(r) for r in references)
    total = sum(ref_words)
    # a compound match consumes reference words at no cost: they count as hits
    counts = ErrorCounts(sum(subs), sum(dels), sum(ins), hits=total - sum(subs) - sum(dels), reference_words=total)
    errors = tuple(s + d + i for s, d, i in per_utterance)
    return Alignment(counts, errors, ref_words, substitutions=subs, deletions=dels, insertions=ins)


def character_error_rate(references: Sequence[str], hypotheses: Sequence[str]) -> float:
    """Corpus CER of already normalised texts: total character edits over total reference characters."""
    if len(references) != len(hypotheses):
        raise ValueError(f"{len(references)} references but {len(hypotheses)} hypotheses")
    edits = sum(Levenshtein.distance(r, h) for r, h in zip(references, hypotheses, strict=True))
    return float(error_rates(edits, sum(map(len, references))))


def score(
    references: Sequence[str],
    hypotheses: Sequence[str],
    language: str = "en",
    resamples: int = 1000,
    seed: int = 0,
    with_cer: bool = True,
    *,
    normalizer: Normalizer | None = None,
    confidence: float = 0.95,
    merge_compounds: bool = False,
    pair_step: Callable[[Sequence[str], Sequence[str]], tuple[list[str], list[str]]] | None = None,
) -> WerResult:
    """Normalise both sides, then the corpus WER (total errors / total reference words) and its CI.

    `normalizer` overrides the one `language` selects; `merge_compounds` scores as the leaderboard
    does since 2026-06 (see ``align``); `pair_step` rewrites each normalised pair before alignment
    (the leaderboard's multilingual compound-pair step). The interval is a percentile bootstrap over
    utterances with `resamples` resamples drawn from `seed`.
    """
    if isinstance(references, str) or isinstance(hypotheses, str):
        raise TypeError("references and hypotheses must be sequences of strings, not strings")
    if len(references) != len(hypotheses):
        raise ValueError(f"{len(references)} references but {len(hypotheses)} hypotheses")
    if not references:
        raise ValueError("cannot score zero utterances")
    norm = normalizer or get_normalizer(language)
    refs = [norm(r) for r in references]
    hyps = [norm(h) for h in hypotheses]
    if pair_step is not None:
        refs, hyps = pair_step(refs, hyps)
    result = align([r.split() for r in refs], [h.split() for h in hyps], merge_compounds)
    ci_low, ci_high = bootstrap_ci(result.errors, result.ref_words, resamples, seed, confidence)
    cer = None
    if with_cer:
        if norm.splits_characters:
            refs, hyps = [r.replace(" ", "") for r in refs], [h.replace(" ", "") for h in hyps]
        cer = character_error_rate(refs, hyps)
    per_utterance = error_rates(np.asarray(result.errors), np.asarray(result.ref_words))
    return WerResult(
        wer=result.counts.wer,
        ci_low=ci_low,
        ci_high=ci_high,
        counts=result.counts,
        per_utterance=tuple(per_utterance.tolist()),
        cer=cer,
        normalizer=norm.label,
        n_utterances=len(refs),
        resamples=resamples,
        utterance_errors=result.errors,
        utterance_ref_words=result.ref_words,
        confidence=confidence,
        seed=seed,
        scorer="kaldi-compounds" if merge_compounds else "levenshtein",
        utterance_substitutions=result.substitutions,
        utterance_deletions=result.deletions,
        utterance_insertions=result.insertions,
    )


def compare(a: WerResult, b: WerResult, resamples: int = 1000, seed: int = 0) -> PairedResult:
    """Paired bootstrap of two results scored on the same references with the same normaliser."""
    if a.normalizer != b.normalizer:
        raise ValueError(f"results used different normalisers: {a.normalizer} and {b.normalizer}")
    if a.utterance_ref_words != b.utterance_ref_words:
        raise ValueError("results were not scored on the same references")
    return paired_bootstrap(a.utterance_errors, b.utterance_errors, a.utterance_ref_words, resamples, seed)
