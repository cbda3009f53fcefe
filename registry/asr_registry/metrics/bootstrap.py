"""Bootstrap confidence intervals for corpus error rates (Bisani & Ney, ICASSP 2004).

"Bootstrap estimates for confidence intervals in ASR performance evaluation" resamples whole
utterances with replacement, because errors within an utterance are correlated: each resample's
error rate is the sum of its utterances' errors over the sum of their reference words, and the
interval is read off the percentiles of those rates. Comparing two systems on the same resampled
utterance sets (the paired bootstrap) gives the probability that one is better than the other.

Resampling is vectorised: a block of resamples is one matrix of utterance indices and one gather,
so 1,000 resamples of 10,000 utterances take a few tens of milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

# Bounds the index matrix of one block of resamples (8 bytes an entry): 2**21 entries is 16 MiB.
_BLOCK_ENTRIES = 2**21

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class PairedResult:
    """System A against system B on the same utterances.

    ``prob_a_better`` is the share of resamples in which A made fewer errors than B, ties counting
    one half: identical systems give exactly 0.5, and 0.95 or more is the usual bar for calling A
    better. ``delta_wer`` is WER(A) - WER(B) on the full set, negative when A is better, and
    ``ci_low``/``ci_high`` bound that difference.
    """

    prob_a_better: float
    delta_wer: float
    ci_low: float
    ci_high: float
    resamples: int
    confidence: float


def error_rates(errors: npt.ArrayLike, reference: npt.ArrayLike) -> FloatArray:
    """errors / reference element-wise; with no reference words a rate is 0.0 if error-free, else inf."""
    err = np.asarray(errors, dtype=np.float64)
    ref = np.asarray(reference, dtype=np.float64)
    empty = np.where(err > 0, np.inf, 0.0)
    return np.divide(err, ref, out=empty, where=ref > 0)


def _check(columns: Sequence[Sequence[int]], resamples: int, confidence: float) -> IntArray:
    if resamples < 1:
        raise ValueError(f"resamples must be at least 1, got {resamples}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    lengths = {len(c) for c in columns}
    if len(lengths) != 1:
        raise ValueError(f"per-utterance sequences differ in length: {sorted(lengths)}")
    if lengths == {0}:
        raise ValueError("cannot bootstrap zero utterances")
    table = np.vstack([np.asarray(c, dtype=np.int64) for c in columns])
    if (table < 0).any():
        raise ValueError("error and word counts must not be negative")
    return table


def resampled_sums(table: IntArray, resamples: int, seed: int) -> IntArray:
    """Sums of each row of `table` (counts x utterances) over `resamples` bootstrap resamples.

    Row r of the result holds the sums over one resample: n utterance indices drawn uniformly with
    replacement. The same seed gives the same resamples for any table with the same number of
    utterances, which is what makes two systems' resamples paired.
    """
    n = table.shape[1]
    rng = np.random.default_rng(seed)
    sums = np.empty((resamples, table.shape[0]), dtype=np.int64)
    block = max(1, _BLOCK_ENTRIES // n)
    for start in range(0, resamples, block):
        stop = min(start + block, resamples)
        idx = rng.integers(0, n, size=(stop - start, n))
        for k, column in enumerate(table):
            # one 1-D gather per count: gathering (utterance, count) pairs at once is 5x slower
            sums[start:stop, k] = np.take(column, idx).sum(axis=1)
    return sums


def _interval(values: FloatArray, confidence: float) -> tuple[float, float]:
    tail = (1.0 - confidence) / 2.0
    # interpolating between two infinite rates gives nan; fall back to picking observed values
    method = "linear" if np.isfinite(values).all() else "inverted_cdf"
    low, high = np.quantile(values, np.array([tail, 1.0 - tail]), method=method)  # type: ignore[call-overload]
    return float(low), float(high)


def bootstrap_ci(
    errors: Sequence[int],
    ref_words: Sequence[int],
    resamples: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> tuple[float, float]:
    """Percentile bootstrap interval of the corpus error rate sum(errors) / sum(ref_words)."""
    table = _check([errors, ref_words], resamples, confidence)
    sums = resampled_sums(table, resamples, seed)
    return _interval(error_rates(sums[:, 0], sums[:, 1]), confidence)


def paired_bootstrap(
    errors_a: Sequence[int],
    errors_b: Sequence[int],
    ref_words: Sequence[int],
    resamples: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> PairedResult:
    """Bisani & Ney's paired bootstrap: how often A beats B over the same resampled utterance sets."""
    table = _check([errors_a, errors_b, ref_words], resamples, confidence)
    sums = resampled_sums(table, resamples, seed)
    err_a, err_b, ref = sums[:, 0], sums[:, 1], sums[:, 2]
    # both systems share each resample's reference words, so comparing error counts compares WERs
    prob = float(np.mean(err_a < err_b) + 0.5 * np.mean(err_a == err_b))
    delta = error_rates(err_a, ref) - error_rates(err_b, ref)
    delta = np.where(err_a == err_b, 0.0, delta)  # inf - inf when a resample has no reference words
    totals = table.sum(axis=1)
    full = error_rates(totals[0], totals[2]) - error_rates(totals[1], totals[2])
    low, high = _interval(delta, confidence)
    return PairedResult(
        prob_a_better=prob,
        delta_wer=float(0.0 if totals[0] == totals[1] else full),
        ci_low=low,
        ci_high=high,
        resamples=resamples,
        confidence=confidence,
    )
