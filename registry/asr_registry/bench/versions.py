"""Scoring a bench run under named versions: the run's own (``--normalizer``, else its dataset's),
and each other leaderboard version a claim was scored with, from the run's kept texts; a chunked
set's chunks are joined per recording first, as the leaderboard does."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from typing import Any

from asr_registry.bench.claims import Measurement, claim_scoring
from asr_registry.bench.results import Scored
from asr_registry.catalog.schema import ModelEntry
from asr_registry.metrics.scoring import LEADERBOARD_VERSIONS, ScoringVersion, UnknownScoring, scoring_version

Chunk = tuple[str, int]  # (recording id, position in it)


def chunk_keys(items: Sequence[Any]) -> tuple[Chunk, ...] | None:
    """(parent_id, chunk_index) of each manifest row when every row has them (a chunked set), else None."""
    keys = []
    for item in items:
        parent, index = item.fields.get("parent_id"), item.fields.get("chunk_index")
        if parent is None or not isinstance(index, int) or isinstance(index, bool):
            return None
        keys.append((str(parent), index))
    return tuple(keys) or None


def merged_by_recording(
    results: Sequence[Any], texts: Sequence[str], chunks: Sequence[Chunk]
) -> tuple[list[str], list[str]]:
    """References and hypotheses per recording: chunks in order, hypotheses joined (the leaderboard's
    ``merge_chunked_manifest``, as rescoring merges them: ``oal_sets.merge_chunks``)."""
    from asr_registry.datasets.oal_sets import merge_chunks

    rows = [
        {"parent_id": parent, "chunk_index": index, "text": text, "pred_text": r.text or ""}
        for r, text, (parent, index) in zip(results, texts, chunks, strict=True)
    ]
    merged = merge_chunks(rows)
    return [str(m["text"]) for m in merged], [str(m["pred_text"]) for m in merged]


def scoring_by_name(name: str) -> ScoringVersion:
    """A scoring version or normaliser by name; any other name is a language, scored with its normaliser."""
    try:
        return scoring_version(name)
    except UnknownScoring:
        pass
    from asr_registry.metrics.normalize import get_normalizer

    label = get_normalizer(name).label  # a language: its normaliser, scored with Levenshtein
    return scoring_version(label)


def rescored(
    m: Measurement, references: Sequence[str], hypotheses: Sequence[str], version: str, resamples: int
) -> Measurement:
    """A run's measurement under another leaderboard scoring version, from its kept texts (no model runs)."""
    if version == m.scoring:
        return m
    wer = LEADERBOARD_VERSIONS[version].score(references, hypotheses, m.language, resamples)
    return replace(
        m,
        wer=100 * wer.wer,
        wer_ci=(100 * wer.ci_low, 100 * wer.ci_high),
        cer=None if wer.cer is None else 100 * wer.cer,
        scoring=version,
    )


def claimed_versions(entry: ModelEntry, datasets: Collection[str]) -> set[str]:
    """The leaderboard scoring versions the model's error-rate claims on these dataset names were scored with."""
    return {claim_scoring(c) for c in entry.claims if c.metric in ("wer", "cer") and c.dataset in datasets} - {""}


def rescored_run(item: Scored, version: str, resamples: int) -> Measurement:
    """The run's measurement under another leaderboard scoring version (``versions.rescored``)."""
    return rescored(item.run.measurement, item.references, item.hypotheses, version, resamples)


def rescored_for_claims(entry: ModelEntry, scored: Sequence[Scored], resamples: int) -> list[tuple[int, Measurement]]:
    """Each leaderboard-scored run scored again under every other leaderboard version that one of the
    model's error-rate claims on its data was scored with, so each claim is checked with its own
    version. Pairs of (run position, measurement)."""
    extra = []
    for position, item in enumerate(scored):
        m = item.run.measurement
        if m.scoring in LEADERBOARD_VERSIONS and item.references:
            for version in sorted(claimed_versions(entry, {m.dataset}) - {m.scoring}):
                extra.append((position, rescored_run(item, version, resamples)))
    return extra
