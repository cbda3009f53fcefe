"""Bootstrap intervals and the paired bootstrap (Bisani & Ney 2004)."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from asr_registry.metrics.bootstrap import bootstrap_ci, error_rates, paired_bootstrap, resampled_sums


def _system(n: int, rate: float, seed: int) -> tuple[list[int], list[int]]:
    rng = random.Random(seed)
    words = [rng.randint(5, 20) for _ in range(n)]
    return [sum(rng.random() < rate for _ in range(w)) for w in words], words


def test_each_resample_draws_n_utterances_with_replacement() -> None:
    table = np.vstack([np.ones(50, dtype=np.int64), np.arange(50, dtype=np.int64)])
    sums = resampled_sums(table, resamples=200, seed=0)
    assert sums.shape == (200, 2)
    assert (sums[:, 0] == 50).all()  # every resample holds exactly n utterances
    assert len(set(sums[:, 1].tolist())) > 100  # ...but different ones
    assert np.array_equal(sums, resampled_sums(table, resamples=200, seed=0))


def test_blocks_do_not_change_the_draws() -> None:
    # resamples are drawn in blocks bounded by memory; a block boundary must not show in the result
    table = np.ones((1, 30_000), dtype=np.int64)
    assert (resampled_sums(table, resamples=150, seed=1)[:, 0] == 30_000).all()


def test_interval_brackets_the_corpus_rate() -> None:
    errors, words = _system(2000, 0.1, seed=0)
    low, high = bootstrap_ci(errors, words)
    rate = sum(errors) / sum(words)
    assert low < rate < high
    assert high - low < 0.02


def test_constant_utterances_give_a_point_interval() -> None:
    assert bootstrap_ci([1] * 20, [4] * 20) == (0.25, 0.25)


def test_confidence_widens_the_interval() -> None:
    errors, words = _system(300, 0.2, seed=1)
    low90, high90 = bootstrap_ci(errors, words, confidence=0.90)
    low99, high99 = bootstrap_ci(errors, words, confidence=0.99)
    assert low99 < low90 < high90 < high99


def test_a_clearly_better_system() -> None:
    errors_a, words = _system(500, 0.05, seed=2)
    errors_b, _ = _system(500, 0.15, seed=3)
    result = paired_bootstrap(errors_a, errors_b, words)
    assert result.prob_a_better > 0.95
    assert result.delta_wer < 0
    assert result.ci_low < result.delta_wer < result.ci_high < 0
    assert result.resamples == 1000 and result.confidence == 0.95
    swapped = paired_bootstrap(errors_b, errors_a, words)
    assert swapped.prob_a_better == pytest.approx(1 - result.prob_a_better)
    assert swapped.delta_wer == pytest.approx(-result.delta_wer)


def test_identical_systems_tie_at_one_half() -> None:
    errors, words = _system(200, 0.1, seed=4)
    result = paired_bootstrap(errors, errors, words)
    assert (result.prob_a_better, result.delta_wer, result.ci_low, result.ci_high) == (0.5, 0.0, 0.0, 0.0)


def test_systems_that_differ_by_noise_are_not_separated() -> None:
    errors_a, words = _system(300, 0.1, seed=5)
    errors_b = errors_a[:]
    errors_b[0] += 1  # one extra error in 300 utterances
    result = paired_bootstrap(errors_a, errors_b, words)
    assert 0.5 < result.prob_a_better < 0.95
    assert result.ci_low <= 0 <= result.ci_high


def test_resamples_without_reference_words_do_not_break_the_interval() -> None:
    # one utterance of three has words: about 30% of resamples hold none
    low, high = bootstrap_ci([1, 0, 0], [0, 0, 2], resamples=500)
    assert not math.isnan(low) and not math.isnan(high)
    assert high == math.inf
    result = paired_bootstrap([1, 0, 0], [0, 0, 1], [0, 0, 2], resamples=500)
    assert not math.isnan(result.ci_low) and not math.isnan(result.ci_high)


def test_error_rates_define_the_empty_case() -> None:
    assert error_rates([0, 2, 3], [0, 0, 6]).tolist() == [0.0, math.inf, 0.5]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"errors": [1], "ref_words": [1, 2]}, "differ in length"),
        ({"errors": [], "ref_words": []}, "zero utterances"),
        ({"errors": [1], "ref_words": [1], "resamples": 0}, "resamples"),
        ({"errors": [1], "ref_words": [1], "confidence": 1.0}, "confidence"),
        ({"errors": [-1], "ref_words": [1]}, "negative"),
    ],
)
def test_bad_input(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        bootstrap_ci(**kwargs)  # type: ignore[arg-type]
