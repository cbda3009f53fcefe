"""Every GPU-memory and batch-size claim in the catalog with a verdict, or UNVERIFIABLE beside the estimate.

Model claims are estimated on that model; a size tier's generic claims on a representative
published model of the tier (the how-to's figures are meant for every model of that size).
With a GPU check report (bench/gpu_check.py --out FILE) memory claims get PASS/FAIL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from asr_registry.catalog.schema import Catalog, Claim, ModelEntry
from asr_registry.shadow.estimates import claim_estimate
from asr_registry.shadow.gpu_results import MemoryPoint, memory_verdict
from asr_registry.sizing.memory import memory_model
from asr_registry.sizing.policy import size_for

RESOURCE_METRICS = ("gpu_memory_gb", "optimal_batch_size")
# A tier's claims are estimated on this model of the tier.
TIER_REPRESENTATIVES = {
    "small": "stt_en_conformer_ctc_small",
    "medium": "stt_en_fastconformer_hybrid_medium_streaming_80ms_pc",
    "large": "stt_en_fastconformer_hybrid_large_pc",
}


@dataclass(frozen=True)
class ClaimRow:
    scope: str  # model name, or "tier large (on MODEL)"
    metric: str
    conditions: str
    claimed: str
    status: str
    detail: str
    source: str


def _row(scope: str, entry: ModelEntry, claim: Claim, points: Sequence[MemoryPoint]) -> ClaimRow:
    conditions = claim.describe_conditions() or ("bs=16 assumed" if claim.metric == "gpu_memory_gb" else "")
    if claim.metric == "gpu_memory_gb":
        verdict = memory_verdict(entry, claim, list(points))
        detail = f"{verdict.measured}; {verdict.reason}" if verdict.measured else verdict.reason
        return ClaimRow(scope, claim.metric, conditions, claim.describe_value(), verdict.status, detail, claim.source)
    estimate = claim_estimate(entry, claim) or "no memory model for this architecture"
    return ClaimRow(
        scope,
        claim.metric,
        conditions,
        claim.describe_value(),
        "UNVERIFIABLE",
        f"speed-optimal batch is not measured here; {estimate}",
        claim.source,
    )


def resource_claim_rows(
    catalog: Catalog, points: Sequence[MemoryPoint] = (), source: str | None = None
) -> list[ClaimRow]:
    """Rows for every resource claim (only those citing `source`, e.g. "howto", when given)."""
    rows = []
    for name, entry in sorted(catalog.models.items()):
        # A name that is no checkpoint (unverified) is estimated on its first substitute with a memory model.
        target, scope = entry, name
        if memory_model(name) is None:
            substitute = next(
                (catalog.models[s] for s in entry.substitutes if s in catalog.models and memory_model(s) is not None),
                None,
            )
            if substitute is not None:
                target, scope = substitute, f"{name} (on substitute {substitute.name})"
        for claim in entry.claims:
            if claim.metric in RESOURCE_METRICS and (source is None or claim.source == source):
                rows.append(_row(scope, target, claim, points))
    for tier_name, tier in catalog.tiers.items():
        model = catalog.models.get(TIER_REPRESENTATIVES.get(tier_name, ""))
        for claim in tier.claims:
            if claim.metric not in RESOURCE_METRICS or (source is not None and claim.source != source):
                continue
            if model is None:
                rows.append(
                    ClaimRow(
                        f"tier {tier_name}",
                        claim.metric,
                        claim.describe_conditions(),
                        claim.describe_value(),
                        "UNVERIFIABLE",
                        "no representative model with a spec",
                        claim.source,
                    )
                )
                continue
            rows.append(_row(f"tier {tier_name} (on {model.name})", model, claim, points))
        # The how-to's batch-size guide per GPU size (a resource table, not claims rows).
        for gpu_gb, batch in sorted(tier.resources.batch_size.items()):
            if model is None or (source is not None and tier.resources.source != source):
                continue
            sizing = size_for(model, float(gpu_gb))
            detail = (
                f"estimated batch to run {sizing.batch_size} in {gpu_gb} GB at 20 s {model.precision} "
                f"({sizing.batch.detail})"
                if sizing.fit == "fits"
                else f"{sizing.fit} in {gpu_gb} GB"
            )
            rows.append(
                ClaimRow(
                    f"tier {tier_name} (on {model.name})",
                    "batch_size_guide",
                    f"gpu={gpu_gb}GB",
                    str(batch),
                    "UNVERIFIABLE",
                    f"speed-optimal batch is not measured here; {detail}",
                    tier.resources.source,
                )
            )
    return rows
