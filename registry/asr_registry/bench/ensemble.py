"""Bench an ensemble against its members on the same data, optionally tuning ROVER first.

Members are timed and scored like any model; the ensemble's time is the sum of its
members' (they run one after another) plus the combination. `--tune` grid-searches
ROVER's alpha and NULL confidence on a dev split and reports the result on held-out data.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from asr_registry.bench.claims import Hardware
from asr_registry.bench.runner import (
    BenchOptions,
    Scored,
    contention_before_timing,
    make_engine,
    prompt_for,
    references,
    score_run,
    timed_rounds,
)
from asr_registry.catalog.schema import Catalog, Dataset
from asr_registry.ensemble.combiners import Combiner
from asr_registry.ensemble.members import Member, build_combiner, check_member, combine_all, ensemble_label
from asr_registry.errors import RegistryError

GRID = tuple(round(0.1 * i, 1) for i in range(11))


@dataclass(frozen=True)
class Tuning:
    spec: str  # the best combiner spec found on the dev split
    dev_dataset: str
    dev_wer: float  # percent, corpus level
    points: int  # grid points tried


@dataclass(frozen=True)
class _Settings:
    """What an ensemble run reports as its settings (members may differ; this is the first's)."""

    device: str
    batch_size: int
    precision: str


def corpus_wer(texts: Sequence[str], hypotheses: Sequence[str], normalizer: str) -> float:
    """Corpus WER in percent without the bootstrap: the inner loop of tuning."""
    from asr_registry.metrics.normalize import get_normalizer
    from asr_registry.metrics.wer import align

    normalize = get_normalizer(normalizer)
    alignment = align([normalize(t).split() for t in texts], [normalize(h).split() for h in hypotheses])
    return 100 * alignment.counts.wer


def tune_rover(
    member_results: dict[str, list[Any]], texts: Sequence[str], normalizer: str, method: str, dev_key: str
) -> Tuning:
    """Best (alpha, null_conf) for a confidence-weighted ROVER on precomputed member results."""
    from asr_registry.ensemble.rover import Rover

    if method == "freq":
        raise RegistryError(
            "--tune: rover with method=freq has no parameters; use --combiner rover:method=maxconf or avgconf"
        )
    best: tuple[float, float, float] | None = None
    for alpha in GRID:
        for null_conf in GRID:
            combined = combine_all(member_results, Rover(method, alpha, null_conf))  # type: ignore[arg-type]
            wer = corpus_wer(texts, [r.text or "" for r in combined], normalizer)
            if best is None or wer < best[0]:  # strict: ties keep the earlier, smaller setting
                best = (wer, alpha, null_conf)
    assert best is not None
    spec = f"rover:method={method},alpha={best[1]},null_conf={best[2]}"
    return Tuning(spec, dev_key, best[0], len(GRID) ** 2)


def bench_ensemble(
    members: Sequence[Member],
    spec: str,
    catalog: Catalog,
    dataset: Dataset,
    options: BenchOptions,
    hardware: Hardware,
    tune_on: Dataset | None = None,
    *,
    combiners: Mapping[str, Callable[..., Combiner]],
) -> tuple[list[Scored], Tuning | None]:
    """Members and the ensemble on `dataset`; with `tune_on`, ROVER is tuned there first.

    `combiners` are the registered combiner factories by name (the plugins' `register_combiners`).
    """
    combiner, spec = build_combiner(spec, combiners)
    entries = [catalog.find(member.model) for member in members]
    for member, entry in zip(members, entries, strict=True):
        check_member(member, entry.decoders)
    names = [member.label for member in members]
    engines = [
        make_engine(e, catalog, options, m.decoder or e.default_decoder, options.batch_size, word_confidence=True)
        for m, e in zip(members, entries, strict=True)
    ]
    tuning = None
    if tune_on is not None:
        method = getattr(combiner, "method", None)
        if method is None:
            raise RegistryError("--tune: only the rover combiner has parameters to tune")
        dev_items, dev_texts = references(tune_on)
        for engine in engines:
            prompt_for(engine, tune_on)
        dev_results = {name: engine.transcribe(dev_items) for name, engine in zip(names, engines, strict=True)}
        tuning = tune_rover(dev_results, dev_texts, tune_on.normalizer or tune_on.language, method, tune_on.key)
        combiner, spec = build_combiner(tuning.spec, combiners)
    items, texts = references(dataset)
    for engine in engines:
        prompt_for(engine, dataset)
    contention_before_timing()
    scored, member_results, member_walls, peaks = [], {}, [], []
    for name, entry, engine in zip(names, entries, engines, strict=True):
        results, walls, peak = timed_rounds(engine, items, options.rounds)
        member_results[name] = results
        member_walls.append(walls)
        peaks.append(peak)
        decoder = engine.settings.decoder or entry.default_decoder
        scored.append(
            score_run(name, decoder, engine.settings, dataset, results, texts, walls, peak, hardware, options.resamples)
        )
    started = time.perf_counter()
    combined = combine_all(member_results, combiner)
    combine_seconds = time.perf_counter() - started
    walls = [sum(statistics.median(w) for w in member_walls) + combine_seconds]
    first = engines[0].settings
    settings = _Settings(first.device, first.batch_size, first.precision)
    scored.append(
        score_run(
            ensemble_label(spec, names),
            spec.split(":")[0],
            settings,
            dataset,
            combined,
            texts,
            walls,
            max(peaks),
            hardware,
            options.resamples,
        )
    )
    return scored, tuning
