"""Benchmark: score() on 10,000 utterance pairs with a 1,000-resample bootstrap; goal: under 2 s.

Run with ``pytest bench/test_metrics_speed.py``. The time covers everything score() does:
normalising both sides, aligning, counting, the bootstrap interval and the CER.
"""

from __future__ import annotations

import random
import string

from pytest_benchmark.fixture import BenchmarkFixture

from asr_registry.metrics.wer import score

PAIRS = 10_000
RESAMPLES = 1_000
GOAL_SECONDS = 2.0


def synthetic_pairs(n: int, seed: int = 0) -> tuple[list[str], list[str]]:
    """Sentences of 5-20 words from a 1,000-word vocabulary; hypotheses carry ~15% random edits."""
    rng = random.Random(seed)
    vocab: set[str] = set()
    while len(vocab) < 1000:
        vocab.add("".join(rng.choices(string.ascii_lowercase, k=rng.randint(2, 10))))
    words = sorted(vocab)
    refs: list[str] = []
    hyps: list[str] = []
    for _ in range(n):
        ref = rng.choices(words, k=rng.randint(5, 20))
        hyp: list[str] = []
        for word in ref:
            roll = rng.random()
            if roll < 0.05:
                continue
            hyp.append(rng.choice(words) if roll < 0.10 else word)
            if rng.random() < 0.05:
                hyp.append(rng.choice(words))
        refs.append(" ".join(ref).capitalize() + ".")
        hyps.append(" ".join(hyp))
    return refs, hyps


def test_score_10k_pairs(benchmark: BenchmarkFixture, goals) -> None:
    refs, hyps = synthetic_pairs(PAIRS)
    result = benchmark.pedantic(score, args=(refs, hyps), kwargs={"resamples": RESAMPLES}, rounds=3)
    assert result.n_utterances == PAIRS
    assert result.ci_low < result.wer < result.ci_high
    if benchmark.stats is not None:  # None under --benchmark-disable, where nothing is timed
        goals.check("score_10k_mean_s", benchmark.stats["mean"], GOAL_SECONDS, at_least=False)
