"""Benchmark: score() on 10,000 utterance pairs with a 1,000-resample bootstrap; goal: under 2 s.

Run with ``pytest bench/test_metrics_speed.py``. The time covers everything score() does:
normalising both sides, aligning, counting, the bootstrap interval and the CER.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pytest_benchmark.fixture import BenchmarkFixture

from asr_registry.metrics.wer import score

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tests' synthetic transcripts
from tests.metrics.synthetic import make_pairs

PAIRS = 10_000
RESAMPLES = 1_000
GOAL_SECONDS = 2.0


def test_score_10k_pairs(benchmark: BenchmarkFixture, goals) -> None:
    refs, hyps = make_pairs(PAIRS)  # ~15% word errors
    result = benchmark.pedantic(score, args=(refs, hyps), kwargs={"resamples": RESAMPLES}, rounds=3)
    assert result.n_utterances == PAIRS
    assert result.ci_low < result.wer < result.ci_high
    if benchmark.stats is not None:  # None under --benchmark-disable, where nothing is timed
        goals.check("score_10k_mean_s", benchmark.stats["mean"], GOAL_SECONDS, at_least=False)
