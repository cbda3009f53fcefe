"""`bench --oal`: a model over the Open ASR Leaderboard's sets, summarised as the leaderboard does.

Each set is read from the hub (see ``asr_registry.datasets``), written out as a manifest and
benched like any other dataset; then, per decoder, the unweighted average WER (with a CI) and
the total-audio RTFx stand as measurements for the catalog's ``open-asr-leaderboard-avg`` and
``open-asr-leaderboard`` claims, which so become checkable too.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from asr_registry.bench.claims import Measurement, check_claims
from asr_registry.bench.results import ModelRun
from asr_registry.catalog.schema import Catalog, Claim, Dataset, ModelEntry
from asr_registry.datasets.hf import HfSpec, Materialised
from asr_registry.datasets.oal_sets import (
    ENGLISH_AVERAGE,
    ENGLISH_SPEED,
    ESB,
    ML,
    MULTILINGUAL_AVERAGE,
    MULTILINGUAL_SPEED,
    LeaderboardSet,
    suite,
)
from asr_registry.errors import RegistryError
from asr_registry.shadow.estimates import claim_estimate


@dataclass(frozen=True)
class SuiteData:
    board: LeaderboardSet
    dataset: Dataset
    materialised: Materialised


def prepare_suite(
    entry: ModelEntry,
    folder: Path,
    limit: int | None,
    seed: int,
    english_id: str = ESB,
    multilingual_id: str = ML,
    note: Callable[[str], None] | None = None,
    local: Path | None = None,
) -> list[SuiteData]:
    """Every leaderboard set for the model's languages, written out under `folder`.

    With `local`, each set is read from ``local/CONFIG/SPLIT`` (a ``save_to_disk`` copy, for
    machines without network) instead of the hub.
    """
    from asr_registry.bench.targets import hf_dataset

    boards = suite(entry.languages, english_id, multilingual_id)
    if not boards:
        raise RegistryError(
            f"--oal: the leaderboard has no set in {entry.name}'s languages ({', '.join(entry.languages)})"
        )
    prepared = []
    for board in boards:
        copy = local / board.config / board.hf_split if local else None
        if copy is not None and not copy.is_dir():
            raise RegistryError(
                f"--oal-data {local}: no {copy} (save {board.hf_id} {board.config}/{board.hf_split} "
                "there with save_to_disk)"
            )
        if note:
            note(f"reading {board.hf_id} {board.config}/{board.hf_split}" + (f" from {copy}" if copy else ""))
        spec = (
            HfSpec(str(copy), limit=limit, seed=seed)
            if copy
            else HfSpec(board.hf_id, board.config, board.hf_split, limit=limit, seed=seed)
        )
        dataset, done = hf_dataset(spec, folder / f"{board.config}-{board.hf_split}", board=board)
        prepared.append(SuiteData(board, dataset, done))
    return prepared


@dataclass(frozen=True)
class Aggregate:
    """The leaderboard's summary of one model over a suite."""

    average_wer: float
    average_ci: tuple[float, float]
    rtfx: float | None
    sets: int


def aggregate(measurements: Sequence[Measurement], audio_seconds: Sequence[float]) -> Aggregate:
    """Unweighted mean WER (with a CI, the sets being independent samples) and total-audio RTFx.

    Each set's 95% CI gives its standard error as width / 3.92; the mean's is the root of the
    summed squares over the number of sets.
    """
    k = len(measurements)
    mean = sum(m.wer for m in measurements) / k
    se = math.sqrt(sum(((m.wer_ci[1] - m.wer_ci[0]) / 3.92) ** 2 for m in measurements)) / k
    walls = [a / m.rtfx for m, a in zip(measurements, audio_seconds, strict=True) if m.rtfx]
    rtfx = sum(audio_seconds) / sum(walls) if len(walls) == k and sum(walls) > 0 else None
    return Aggregate(mean, (max(0.0, mean - 1.96 * se), mean + 1.96 * se), rtfx, k)


def aggregate_measurements(
    measurements: Sequence[Measurement], audio_seconds: Sequence[float], multilingual: bool
) -> list[Measurement]:
    """Measurements standing for the suite, under the dataset names the catalog's average and speed claims use."""
    summary = aggregate(measurements, audio_seconds)
    first = measurements[0]
    average = MULTILINGUAL_AVERAGE if multilingual else ENGLISH_AVERAGE
    speed = MULTILINGUAL_SPEED if multilingual else ENGLISH_SPEED
    common: dict[str, Any] = {
        "split": "",
        "cer": None,
        "cer_ci": None,
        "peak_gpu_memory_gb": None,
        "peak_cpu_memory_gb": None,
    }
    if multilingual:
        common["language"] = ""  # the average spans languages
    return [
        replace(first, dataset=average, wer=summary.average_wer, wer_ci=summary.average_ci, rtfx=None, **common),
        replace(first, dataset=speed, wer=summary.average_wer, wer_ci=summary.average_ci, rtfx=summary.rtfx, **common),
    ]


def suite_verdicts(
    entry: ModelEntry,
    catalog: Catalog,
    runs: Sequence[ModelRun],
    hardware: Any,
    available: frozenset[str] = frozenset(),
) -> list[ModelRun]:
    """The runs with verdicts redone over per-set and suite-level measurements (average WER, total RTFx)."""
    measurements: list[Measurement] = [r.measurement for r in runs]
    for decoder in dict.fromkeys(r.measurement.decoder for r in runs):
        for multilingual in (False, True):
            group = [
                r for r in runs if r.measurement.decoder == decoder and (r.measurement.language != "en") == multilingual
            ]
            if group:
                measurements += aggregate_measurements(
                    [r.measurement for r in group], [r.audio_seconds for r in group], multilingual
                )
    verdicts = check_claims(entry, measurements, hardware, catalog.tiers.get(entry.size), available, claim_estimate)
    own = {id(r.measurement): i for i, r in enumerate(runs)}
    attached: list[list[Any]] = [[] for _ in runs]
    for verdict in verdicts:
        position = own.get(id(verdict.used), 0)  # suite-level and unmeasured claims go with the first run
        attached[position].append(verdict)
    return [replace(run, verdicts=tuple(v)) for run, v in zip(runs, attached, strict=True)]


def _claimed(entry: ModelEntry, dataset: str, split: str, language: str) -> Claim | None:
    """The catalog's leaderboard WER claim for a set, else any WER claim on it."""
    found = [
        c
        for c in entry.claims
        if c.metric == "wer"
        and c.dataset == dataset
        and (not c.split or c.split == split)
        and (not c.language or c.language == language)
    ]
    board = [c for c in found if c.source.startswith("oal")]
    chosen = board or found
    return chosen[0] if chosen else None


def table(entry: ModelEntry, runs: Sequence[ModelRun], prepared: Sequence[SuiteData]) -> list[list[str]]:
    """Rows of the leaderboard-style table: one per set and decoder, then the average and RTFx."""
    rows: list[list[str]] = []
    dropped = {s.dataset.key: len(s.materialised.dropped) for s in prepared}
    for decoder in dict.fromkeys(r.measurement.decoder for r in runs):
        mine = [r for r in runs if r.measurement.decoder == decoder]
        for run in mine:
            m = run.measurement
            claim = _claimed(entry, m.dataset, m.split, m.language)
            key = f"{m.dataset}:{m.split}" if m.split else m.dataset
            rows.append(
                [
                    decoder,
                    key if m.language == "en" else f"{key} ({m.language})",
                    f"{m.wer:.2f}",
                    f"[{m.wer_ci[0]:.2f}, {m.wer_ci[1]:.2f}]",
                    _value(claim),
                    f"{m.rtfx:.1f}" if m.rtfx else "?",
                    str(run.utterances),
                    str(dropped.get(key, 0) + run.skipped),
                ]
            )
        summary = aggregate([r.measurement for r in mine], [r.audio_seconds for r in mine])
        average = (
            "open-asr-leaderboard-avg"
            if mine[0].measurement.language == "en"
            else "open-asr-leaderboard-multilingual-avg"
        )
        claim = _claimed(entry, average, "", "")
        speed = next(
            (c for c in entry.claims if c.metric == "rtfx" and c.dataset.startswith("open-asr-leaderboard")), None
        )
        rows.append(
            [
                decoder,
                f"average of {summary.sets}",
                f"{summary.average_wer:.2f}",
                f"[{summary.average_ci[0]:.2f}, {summary.average_ci[1]:.2f}]",
                _value(claim),
                f"{summary.rtfx:.1f}" if summary.rtfx else "?",
                str(sum(r.utterances for r in mine)),
                "",
            ]
        )
        if speed is not None:
            rows.append([decoder, "RTFx claimed", "", "", f"{speed.describe_value()} [{speed.source}]", "", "", ""])
    return rows


TABLE_HEADERS = ["decoder", "set", "WER %", "95% CI", "claimed WER [source]", "RTFx", "utts", "dropped"]


def _value(claim: Claim | None) -> str:
    return "-" if claim is None else f"{claim.describe_value()} [{claim.source}]"
