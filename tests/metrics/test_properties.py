"""Properties that hold for any input, checked with hypothesis."""

from __future__ import annotations

import jiwer
from hypothesis import given, settings
from hypothesis import strategies as st

from asr_registry.metrics.bootstrap import bootstrap_ci, paired_bootstrap
from asr_registry.metrics.normalize import get_normalizer
from asr_registry.metrics.wer import align, score

WORDS = st.sampled_from(["a", "b", "c", "the", "cat", "sat", "on", "mat", "colour", "twenty", "five", "um"])
SENTENCE = st.lists(WORDS, max_size=12).map(" ".join)
PAIRS = st.lists(st.tuples(SENTENCE, SENTENCE), min_size=1, max_size=8)
TOKENS = st.lists(st.lists(st.sampled_from("abcde"), max_size=8), min_size=1, max_size=6)
# English-like text: letters, digits, the punctuation that the English rules look at, odd spacing
ENGLISH_TEXT = st.text(
    alphabet=st.sampled_from(list("abcdefghijklmnopqrstuvwxyzABC0123456789 .,'$%£€¢-()[]<>éüß’…")),
    max_size=60,
)
NUMBER_TALK = st.lists(
    st.sampled_from(
        [
            "one",
            "two",
            "three",
            "ten",
            "twelve",
            "twenty",
            "thirty",
            "hundred",
            "thousand",
            "million",
            "and",
            "a",
            "half",
            "point",
            "oh",
            "double",
            "triple",
            "minus",
            "dollars",
            "cents",
            "percent",
            "per",
            "cent",
            "first",
            "second",
            "fifth",
            "twentieth",
            "5",
            "12",
            "3.5",
            "$7",
            "the",
        ]
    ),
    max_size=10,
).map(" ".join)


@settings(max_examples=100, deadline=None)
@given(PAIRS)
def test_wer_is_never_negative_and_matches_its_counts(pairs: list[tuple[str, str]]) -> None:
    refs, hyps = [r for r, _ in pairs], [h for _, h in pairs]
    result = score(refs, hyps, resamples=20)
    assert result.wer >= 0
    assert result.ci_low <= result.ci_high
    assert result.counts.errors == sum(result.utterance_errors)
    assert result.counts.reference_words == sum(result.utterance_ref_words)
    assert all(rate >= 0 for rate in result.per_utterance)


@settings(max_examples=100, deadline=None)
@given(st.lists(SENTENCE, min_size=1, max_size=8))
def test_identical_transcripts_score_zero(sentences: list[str]) -> None:
    result = score(sentences, sentences, resamples=20)
    assert (result.wer, result.ci_low, result.ci_high) == (0.0, 0.0, 0.0)
    assert result.cer == 0.0


@settings(max_examples=200, deadline=None)
@given(TOKENS, TOKENS)
def test_counts_equal_jiwer(refs: list[list[str]], hyps: list[list[str]]) -> None:
    n = min(len(refs), len(hyps))
    refs, hyps = refs[:n], hyps[:n]
    ours = align(refs, hyps).counts
    theirs = jiwer.process_words([" ".join(r) for r in refs], [" ".join(h) for h in hyps])
    assert (ours.substitutions, ours.deletions, ours.insertions, ours.hits) == (
        theirs.substitutions,
        theirs.deletions,
        theirs.insertions,
        theirs.hits,
    )


@settings(max_examples=300, deadline=None)
@given(st.one_of(ENGLISH_TEXT, NUMBER_TALK))
def test_english_normaliser_is_idempotent(text: str) -> None:
    english = get_normalizer("en")
    once = english(text)
    assert english(once) == once


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_basic_normalisers_are_idempotent_on_any_unicode(text: str) -> None:
    for language in ("de", "zh"):
        normaliser = get_normalizer(language)
        once = normaliser(text)
        assert normaliser(once) == once
        assert once == once.strip() and "  " not in once


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 10)), min_size=1, max_size=30), st.integers(0, 2**32))
def test_paired_bootstrap_is_antisymmetric(rows: list[tuple[int, int]], seed: int) -> None:
    errors_a = [e for e, _ in rows]
    errors_b = [w // 2 for _, w in rows]
    words = [w for _, w in rows]
    ab = paired_bootstrap(errors_a, errors_b, words, resamples=50, seed=seed)
    ba = paired_bootstrap(errors_b, errors_a, words, resamples=50, seed=seed)
    assert abs(ab.prob_a_better + ba.prob_a_better - 1) < 1e-9
    assert 0.0 <= ab.prob_a_better <= 1.0
    low, high = bootstrap_ci(errors_a, words, resamples=50, seed=seed)
    assert low <= high
