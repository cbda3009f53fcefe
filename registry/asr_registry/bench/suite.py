"""`bench --oal [SUITE]`: a model over an Open ASR Leaderboard suite, summarised as the leaderboard does.

Each set of the suite (``datasets/oal_suites.py``: the current English short-form by default, the
2025 eight-set suite, long-form, multilingual) is read from the hub or a local copy, written out as
a manifest and benched like any other dataset, under the suite's conditions (long-form: batch 1 and
local attention) and scoring version. Then, per suite and decoder, the unweighted average WER (with
a CI) and the total-audio RTFx stand as measurements under the suite's own dataset names
(``open-asr-leaderboard-avg`` for the 2025 suite), so the catalog's average and speed claims on
that suite become checkable too.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from asr_registry.bench.claims import Measurement, check_claims
from asr_registry.bench.results import ModelRun, Scored
from asr_registry.bench.versions import claimed_versions, rescored_run
from asr_registry.catalog.schema import Catalog, Claim, Dataset, ModelEntry
from asr_registry.datasets.hf import HfSpec, Materialised
from asr_registry.datasets.oal_sets import LeaderboardSet
from asr_registry.datasets.oal_suites import Suite, UnknownSuite, suites_for
from asr_registry.errors import RegistryError
from asr_registry.shadow.estimates import claim_estimate


@dataclass(frozen=True)
class SuiteData:
    suite: Suite
    board: LeaderboardSet
    dataset: Dataset
    materialised: Materialised

    @property
    def label(self) -> str:
        """The set as the table shows it: the catalog key, with its config where sets share a key (CORAAL)."""
        shared = sum(s.key == self.board.key and s.language == self.board.language for s in self.suite.sets) > 1
        key = f"{self.board.key} {self.board.config}" if shared else self.board.key
        return key if self.board.language == "en" else f"{key} ({self.board.language})"


def prepare_suite(
    entry: ModelEntry,
    folder: Path,
    limit: int | None,
    seed: int,
    note: Callable[[str], None] | None = None,
    local: Path | None = None,
    suite: str | None = None,
) -> list[SuiteData]:
    """Every set of the suite (default: ``oal_suites.DEFAULT_SUITES``) in the model's languages, written out under `folder`.

    With `local`, each set is read from ``local/FOLDER/SPLIT`` (a ``save_to_disk`` copy, for
    machines without network; FOLDER is the set's config, else its catalog name) instead of the hub.
    """
    from asr_registry.bench.targets import hf_dataset
    from asr_registry.datasets.chunked import write_chunked

    try:
        chosen = suites_for(entry.languages, suite)
    except UnknownSuite as exc:
        raise RegistryError(f"--oal: {exc}") from None
    if not chosen:
        where = f"suite {suite}" if suite else "leaderboard"
        raise RegistryError(f"--oal: the {where} has no set in {entry.name}'s languages ({', '.join(entry.languages)})")
    prepared = []
    for named, boards in chosen:
        for board in boards:
            copy = local / board.folder / board.hf_split if local else None
            if copy is not None and not copy.is_dir():
                raise RegistryError(
                    f"--oal-data {local}: no {copy} (save {board.hf_id} {board.config or '(no config)'}/{board.hf_split} "
                    "there with save_to_disk)"
                )
            if note:
                note(f"reading {board.hf_id} {board.config}/{board.hf_split}" + (f" from {copy}" if copy else ""))
            out = folder / f"{named.name}-{board.folder}-{board.hf_split}"
            if board.chunked:  # whole calls, each chunk with its call's reference (datasets/chunked.py)
                source = write_chunked(board, out, limit, seed, str(copy) if copy else None)
                spec = HfSpec(str(source))
            elif copy:
                spec = HfSpec(str(copy), limit=limit, seed=seed)
            else:
                config = board.config or None
                spec = HfSpec(board.hf_id, config, board.hf_split, limit=limit, seed=seed, revision=board.revision)
            dataset, done = hf_dataset(spec, out, board=board, scoring=named.scoring)
            prepared.append(SuiteData(named, board, dataset, done))
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

    Sets that share a catalog key and language (CORAAL's eight subsets) are first averaged into one
    figure, as the leaderboard's long-form table does (``coraal_avg``). Each figure's 95% CI gives
    its standard error as width / 3.92; the mean's is the root of the summed squares over the count.
    """
    groups: dict[tuple[str, str, str], list[Measurement]] = {}
    for m in measurements:
        groups.setdefault((m.dataset, m.split, m.language), []).append(m)
    means, errors = [], []
    for group in groups.values():
        means.append(sum(m.wer for m in group) / len(group))
        errors.append(math.sqrt(sum(((m.wer_ci[1] - m.wer_ci[0]) / 3.92) ** 2 for m in group)) / len(group))
    k = len(means)
    mean = sum(means) / k
    se = math.sqrt(sum(e**2 for e in errors)) / k
    walls = [a / m.rtfx for m, a in zip(measurements, audio_seconds, strict=True) if m.rtfx]
    rtfx = sum(audio_seconds) / sum(walls) if len(walls) == len(measurements) and sum(walls) > 0 else None
    return Aggregate(mean, (max(0.0, mean - 1.96 * se), mean + 1.96 * se), rtfx, k)


def aggregate_measurements(
    measurements: Sequence[Measurement], audio_seconds: Sequence[float], suite: Suite
) -> list[Measurement]:
    """Measurements standing for the suite, under the dataset names its average and speed claims use."""
    summary = aggregate(measurements, audio_seconds)
    first = measurements[0]
    common: dict[str, Any] = {
        "split": "",
        "cer": None,
        "cer_ci": None,
        "peak_gpu_memory_gb": None,
        "peak_cpu_memory_gb": None,
    }
    if suite.multilingual:
        common["language"] = ""  # the average spans languages
    return [
        replace(first, dataset=suite.average, wer=summary.average_wer, wer_ci=summary.average_ci, rtfx=None, **common),
        replace(
            first, dataset=suite.speed, wer=summary.average_wer, wer_ci=summary.average_ci, rtfx=summary.rtfx, **common
        ),
    ]


def suite_verdicts(
    entry: ModelEntry,
    catalog: Catalog,
    scored: Sequence[Scored],
    prepared: Sequence[SuiteData],
    hardware: Any,
    available: frozenset[str] = frozenset(),
    resamples: int = 1000,
) -> list[ModelRun]:
    """The runs (``scored[i]`` on ``prepared[i]``) with verdicts redone over per-set and suite-level
    measurements (average WER, total RTFx), in the run's scoring version and in each other leaderboard
    version a claim on the suite was scored with (the kept texts rescored; no model runs again)."""
    measurements: list[Measurement] = [s.run.measurement for s in scored]
    owner: dict[int, int] = {id(m): i for i, m in enumerate(measurements)}
    for suite in dict.fromkeys(d.suite for d in prepared):
        mine = [i for i, d in enumerate(prepared) if d.suite == suite]
        names = {prepared[i].board.name for i in mine} | {suite.average, suite.speed}
        primary = {scored[i].run.measurement.scoring for i in mine}
        for version in sorted(primary | claimed_versions(entry, names)):
            for decoder in dict.fromkeys(scored[i].run.measurement.decoder for i in mine):
                group = [i for i in mine if scored[i].run.measurement.decoder == decoder]
                versioned = [
                    rescored_run(scored[i], version, resamples) if version else scored[i].run.measurement for i in group
                ]
                for i, m in zip(group, versioned, strict=True):
                    if id(m) not in owner:
                        owner[id(m)] = i
                        measurements.append(m)
                measurements += aggregate_measurements(versioned, [scored[i].run.audio_seconds for i in group], suite)
    verdicts = check_claims(entry, measurements, hardware, catalog.tiers.get(entry.size), available, claim_estimate)
    attached: list[list[Any]] = [[] for _ in scored]
    for verdict in verdicts:
        attached[owner.get(id(verdict.used), 0)].append(verdict)  # suite-level and unmeasured claims go first
    return [replace(s.run, verdicts=tuple(v)) for s, v in zip(scored, attached, strict=True)]


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
    """Rows of the leaderboard-style table (``runs[i]`` on ``prepared[i]``): per suite and decoder one row
    per set, then the suite's average and RTFx beside the claims on them."""
    rows: list[list[str]] = []
    for suite in dict.fromkeys(d.suite for d in prepared):
        mine = [i for i, d in enumerate(prepared) if d.suite == suite]
        for decoder in dict.fromkeys(runs[i].measurement.decoder for i in mine):
            group = [i for i in mine if runs[i].measurement.decoder == decoder]
            for i in group:
                run, m = runs[i], runs[i].measurement
                claim = _claimed(entry, m.dataset, m.split, m.language)
                rows.append(
                    [
                        suite.name,
                        decoder,
                        prepared[i].label,
                        f"{m.wer:.2f}",
                        f"[{m.wer_ci[0]:.2f}, {m.wer_ci[1]:.2f}]",
                        _value(claim),
                        f"{m.rtfx:.1f}" if m.rtfx else "?",
                        str(run.utterances),
                        str(len(prepared[i].materialised.dropped) + run.skipped),
                    ]
                )
            summary = aggregate([runs[i].measurement for i in group], [runs[i].audio_seconds for i in group])
            speed = next((c for c in entry.claims if c.metric == "rtfx" and c.dataset == suite.speed), None)
            rows.append(
                [
                    suite.name,
                    decoder,
                    f"average of {summary.sets}",
                    f"{summary.average_wer:.2f}",
                    f"[{summary.average_ci[0]:.2f}, {summary.average_ci[1]:.2f}]",
                    _value(_claimed(entry, suite.average, "", "")),
                    f"{summary.rtfx:.1f}" if summary.rtfx else "?",
                    str(sum(runs[i].utterances for i in group)),
                    "",
                ]
            )
            if speed is not None:
                claimed = f"{speed.describe_value()} [{speed.source}]"
                rows.append([suite.name, decoder, "RTFx claimed", "", "", claimed, "", "", ""])
    return rows


TABLE_HEADERS = ["suite", "decoder", "set", "WER %", "95% CI", "claimed WER [source]", "RTFx", "utts", "dropped"]


def _value(claim: Claim | None) -> str:
    return "-" if claim is None else f"{claim.describe_value()} [{claim.source}]"
