"""Corpus WER: counts that can be checked by hand, empty references, the bootstrap interval."""

from __future__ import annotations

import dataclasses
import math

import jiwer
import pytest

from asr_registry.metrics.normalize import get_normalizer
from asr_registry.metrics.wer import ErrorCounts, align, character_error_rate, compare, score
from tests.metrics.synthetic import make_pairs


def test_substitution_and_deletion_by_hand() -> None:
    result = score(["a b c d"], ["a x c"], resamples=10)
    assert result.counts == ErrorCounts(substitutions=1, deletions=1, insertions=0, hits=2, reference_words=4)
    assert result.wer == 0.5
    assert result.per_utterance == (0.5,)
    assert result.utterance_errors == (2,)
    assert result.utterance_ref_words == (4,)
    assert result.n_utterances == 1
    assert result.normalizer == "english@1"


def test_corpus_wer_is_total_errors_over_total_words_not_a_mean_of_rates() -> None:
    # utterance rates are 1/1 and 0/9: their mean is 0.5, the corpus WER is 1/10
    result = score(["a", "b c d e f g h i j"], ["x", "b c d e f g h i j"], resamples=10)
    assert result.wer == pytest.approx(0.1)
    assert result.per_utterance == (1.0, 0.0)


def test_insertions_count() -> None:
    result = score(["a b"], ["a b c d"], resamples=10)
    assert (result.counts.insertions, result.counts.errors, result.wer) == (2, 2, 1.0)


def test_normalisation_applies_to_both_sides() -> None:
    result = score(["Twenty-five colours, please!"], ["25 colors please"], resamples=10)
    assert result.wer == 0.0
    assert result.counts.hits == 3


def test_empty_references_count_insertions_without_dividing_by_zero() -> None:
    result = score(["", "[noise]", "a b"], ["hello there", "", "a b"], resamples=50)
    assert result.counts == ErrorCounts(substitutions=0, deletions=0, insertions=2, hits=2, reference_words=2)
    assert result.wer == 1.0
    assert result.per_utterance == (math.inf, 0.0, 0.0)
    assert result.utterance_ref_words == (0, 0, 2)


def test_all_references_empty() -> None:
    silent = score(["", "(silence)"], ["", ""], resamples=20)
    assert (silent.wer, silent.ci_low, silent.ci_high, silent.cer) == (0.0, 0.0, 0.0, 0.0)
    noisy = score([""], ["words"], resamples=20)
    assert noisy.wer == math.inf
    assert noisy.counts.insertions == 1


def test_empty_hypothesis_is_all_deletions() -> None:
    result = score(["one two three"], [""], resamples=10)
    assert result.counts.deletions == 1  # "one two three" normalises to "123"
    result = score(["a b c"], [""], resamples=10)
    assert (result.counts.deletions, result.wer) == (3, 1.0)


def test_cer() -> None:
    result = score(["abcd"], ["abxd"], resamples=10)
    assert result.cer == 0.25
    assert score(["abcd"], ["abxd"], resamples=10, with_cer=False).cer is None


def test_cer_for_character_languages_ignores_the_separating_spaces() -> None:
    result = score(["我爱北京"], ["我爱南京"], language="zh", resamples=10)
    assert result.wer == 0.25  # the tokens are characters, so this is already a CER
    assert result.cer == 0.25
    assert result.normalizer == "basic-chars@1"


def test_language_selects_the_normaliser_and_an_override_wins() -> None:
    assert score(["Straße"], ["strasse"], language="de", resamples=10).wer == 0.0
    assert score(["Straße"], ["strasse"], language="de", resamples=10, normalizer=get_normalizer("en")).wer == 0.0
    raw = dataclasses.replace(get_normalizer("basic"), name="identity", transform=lambda s: s)
    assert score(["A"], ["a"], resamples=10, normalizer=raw).wer == 1.0


def test_interval_contains_the_wer_and_narrows_with_more_data() -> None:
    small = score(*make_pairs(100, seed=1))
    large = score(*make_pairs(5000, seed=1))
    for result in (small, large):
        assert result.ci_low < result.wer < result.ci_high
        assert result.resamples == 1000
    assert (large.ci_high - large.ci_low) < (small.ci_high - small.ci_low) / 3


def test_same_seed_same_interval_other_seed_other_interval() -> None:
    refs, hyps = make_pairs(300, seed=2)
    first, again, other = score(refs, hyps, seed=5), score(refs, hyps, seed=5), score(refs, hyps, seed=6)
    assert first == again
    assert (first.ci_low, first.ci_high) != (other.ci_low, other.ci_high)
    assert first.wer == other.wer


def test_counts_and_cer_equal_jiwer() -> None:
    refs, hyps = make_pairs(500, seed=3)
    english = get_normalizer("en")
    refs, hyps = [english(r) for r in refs], [english(h) for h in hyps]
    ours = align([r.split() for r in refs], [h.split() for h in hyps]).counts
    theirs = jiwer.process_words(refs, hyps)
    assert (ours.substitutions, ours.deletions, ours.insertions, ours.hits) == (
        theirs.substitutions,
        theirs.deletions,
        theirs.insertions,
        theirs.hits,
    )
    assert ours.wer == pytest.approx(theirs.wer)
    assert character_error_rate(refs, hyps) == pytest.approx(jiwer.cer(refs, hyps))


@pytest.mark.parametrize(
    ("refs", "hyps", "error"),
    [
        (["a"], ["a", "b"], ValueError),
        ([], [], ValueError),
        ("a b", "a b", TypeError),
    ],
)
def test_bad_input(refs: list[str], hyps: list[str], error: type[Exception]) -> None:
    with pytest.raises(error):
        score(refs, hyps)


def test_error_counts_validate_and_define_an_empty_rate() -> None:
    with pytest.raises(ValueError, match="reference_words"):
        ErrorCounts(substitutions=1, deletions=0, insertions=0, hits=1, reference_words=5)
    with pytest.raises(ValueError, match="negative"):
        ErrorCounts(substitutions=-1, deletions=0, insertions=0, hits=1, reference_words=0)
    assert ErrorCounts(0, 0, 0, 0, 0).wer == 0.0
    assert ErrorCounts(0, 0, 3, 0, 0).wer == math.inf


def test_results_are_frozen() -> None:
    result = score(["a"], ["a"], resamples=5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.wer = 1.0  # type: ignore[misc]


def test_compare_two_systems_scored_on_the_same_references() -> None:
    refs, good = make_pairs(400, seed=4, error_rate=0.05)
    _, bad = make_pairs(400, seed=4, error_rate=0.30)
    a, b = score(refs, good), score(refs, bad)
    paired = compare(a, b)
    assert paired.prob_a_better > 0.99
    assert paired.delta_wer == pytest.approx(a.wer - b.wer)
    assert paired.ci_low < paired.delta_wer < paired.ci_high < 0
    assert compare(b, a).prob_a_better < 0.01


def test_compare_refuses_results_on_different_references_or_normalisers() -> None:
    with pytest.raises(ValueError, match="same references"):
        compare(score(["a b"], ["a b"], resamples=5), score(["a"], ["a"], resamples=5))
    with pytest.raises(ValueError, match="normalisers"):
        compare(score(["a"], ["a"], resamples=5), score(["a"], ["a"], language="de", resamples=5))
