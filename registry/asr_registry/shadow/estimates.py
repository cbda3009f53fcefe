"""The estimate shown beside a memory or batch-size claim that cannot be measured here (no torch).

Every figure comes from the one sizing policy (asr_registry.sizing.policy): the need at the claim's
batch and precision, or the batch the policy would run on the claim's GPU.
"""

from __future__ import annotations

import re

from asr_registry.catalog.schema import Claim, ModelEntry
from asr_registry.sizing.policy import LONGEST_SECONDS, need_at, size_for

DEFAULT_SECONDS = LONGEST_SECONDS
# The batch a memory claim without one is taken to mean (the how-to's tables are at batch 16).
CLAIM_BATCH = 16


def _gpu_gb(text: str) -> float | None:
    """GPU memory named in a claim's `gpu` field ('A100-SXM4-80GB' -> 80), if any."""
    found = re.search(r"(\d+)\s*GB", text, re.IGNORECASE)
    return float(found.group(1)) if found else None


def claim_estimate(entry: ModelEntry, claim: Claim, seconds: float = DEFAULT_SECONDS) -> str | None:
    """The estimate to show beside an UNVERIFIABLE memory or batch-size claim, or None without one."""
    precision = claim.precision or entry.precision
    if claim.metric == "gpu_memory_gb":
        batch = claim.batch_size or CLAIM_BATCH
        need = need_at(entry, batch, seconds, precision)
        if need.value is None:
            return None
        return (
            f"estimated {need.value:.1f} GB at batch {batch} x {seconds:g} s {precision} ({need.basis}); "
            f"claimed {claim.describe_value()} GB"
        )
    if claim.metric == "optimal_batch_size":
        gpu = _gpu_gb(claim.gpu) or 16.0
        sizing = size_for(entry, gpu, seconds, precision)
        if sizing.fit == "unknown":
            return None
        if sizing.fit == "too-big":
            return f"estimated: batch 1 x {seconds:g} s does not fit in {gpu:g} GB; claimed {claim.describe_value()}"
        return (
            f"estimated batch to run {sizing.batch_size} in {gpu:g} GB at {seconds:g} s {precision} "
            f"({sizing.batch.detail}); claimed {claim.describe_value()}"
        )
    return None
