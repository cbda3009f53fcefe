"""Measure models on local datasets and check their claims.

Speed follows the Open ASR Leaderboard protocol: an untimed warm-up on the first
`batch_size * 4` files, then whole-dataset transcriptions timed round by round (the
engine sorts by duration itself), RTFx = audio seconds / wall seconds, median of rounds.
"""

from __future__ import annotations

import logging
import statistics
from collections.abc import Callable, Collection, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

from asr_registry.bench.claims import Hardware, Measurement, check_claims
from asr_registry.bench.contention import Contention, Meter, sample
from asr_registry.bench.results import BenchReport, MachineInfo, ModelRun, Scored, SweepPoint
from asr_registry.bench.versions import chunk_keys, merged_by_recording, rescored_for_claims, scoring_by_name
from asr_registry.catalog.schema import Catalog, Dataset, ModelEntry, Tier
from asr_registry.errors import RegistryError
from asr_registry.metrics.scoring import LEADERBOARD_VERSIONS
from asr_registry.shadow.estimates import claim_estimate
from asr_registry.sizing.hardware import machine_info as describe_machine

Progress = Callable[[str], None]
log = logging.getLogger("asr_registry.bench")


@dataclass(frozen=True)
class BenchOptions:
    rounds: int = 3
    batch_size: int | None = None
    device: str | None = None
    precision: str | None = None  # a precision mode (engine/settings.py PRECISION_MODES)
    cuda_graphs: str = "auto"  # NeMo's CUDA-graph greedy decoders: auto | on | off
    gpu_reports: tuple[Any, ...] = ()  # GPU check reports (sizing/measured.py GpuReport): measured batch knees
    decoders: tuple[str, ...] = ()  # empty: every decoder the model has
    resamples: int = 1000
    sweep: tuple[int, ...] = ()  # batch sizes to time one round each
    memory_budget_gb: float | None = None  # GPU: find the largest batch within it
    threads: int | None = None  # torch threads; None: the engine's default
    long_audio: str | None = None  # auto | local-attention | chunk (engine/long_audio.py)
    available: frozenset[str] = frozenset()  # datasets installed here ("name" and "name:split")
    scoring: str | None = None  # --normalizer: a scoring version for every dataset (default: each dataset's)


def references(dataset: Dataset) -> tuple[list[Any], list[str]]:
    """Manifest rows and their reference texts; a row without `text` is an input error."""
    from asr_registry.engine import read_manifest

    items = read_manifest(dataset.manifest)
    texts: list[str] = []
    for item in items:
        text = item.fields.get("text")
        if not isinstance(text, str):
            raise RegistryError(f"{dataset.manifest}:{item.line}: the bench needs a reference 'text' field")
        texts.append(text)
    if not items:
        raise RegistryError(f"{dataset.manifest}: no rows to bench on")
    return items, texts


def machine_info(device: str, contention: Contention | None = None) -> MachineInfo:
    """This run's environment (asr_registry.sizing.hardware.machine_info); `contention` is other work
    measured just before timing."""
    return MachineInfo(**asdict(describe_machine(device)), contention=contention)


def contention_before_timing() -> Contention | None:
    """Other work, sampled for half a second before anything is timed; warns when it competes."""
    contention = sample(0.5)
    if contention is not None and contention.busy:
        log.warning(
            "other work competes for the CPU (%s): speed figures will be low, and a speed claim "
            "missed meanwhile is UNVERIFIABLE, not FAIL",
            contention.describe(),
        )
    return contention


def hardware_of(machine: MachineInfo, contention: Contention | None = None) -> Hardware:
    """The identity speed claims are matched against; `contention` marks a busy machine."""
    busy = contention.describe() if contention is not None and contention.busy else ""
    threads = (machine.torch_threads or None) if machine.device == "cpu" else None
    return Hardware(machine.device, machine.gpu or machine.processor, threads, busy)


def _timed_round(engine: Any, items: Sequence[Any], device: str) -> tuple[list[Any], float, float]:
    """One whole-dataset transcription: (results, wall seconds, peak memory in GB)."""
    import time

    from asr_registry.metrics.memory import cuda_peak_during, peak_rss_during

    measure = cuda_peak_during if device.startswith("cuda") else peak_rss_during
    sync = _sync(device)
    sync()
    started = time.perf_counter()
    results, peak = measure(lambda: engine.transcribe(items))
    sync()
    return results, time.perf_counter() - started, peak / 1024**3


def _sync(device: str) -> Callable[[], None]:
    if not device.startswith("cuda"):
        return lambda: None
    import torch

    return torch.cuda.synchronize


def timed_rounds(engine: Any, items: Sequence[Any], rounds: int) -> tuple[list[Any], list[float], float]:
    """Untimed warm-up on the first batch_size * 4 files, then `rounds` timed whole-set runs."""
    engine.transcribe(items[: engine.settings.batch_size * 4])
    walls: list[float] = []
    peaks: list[float] = []
    results: list[Any] = []
    for _ in range(max(1, rounds)):
        results, wall, peak = _timed_round(engine, items, engine.settings.device)
        walls.append(wall)
        peaks.append(peak)
    return results, walls, max(peaks)


def score_run(
    model: str,
    decoder: str,
    settings: Any,
    dataset: Dataset,
    results: Sequence[Any],
    texts: Sequence[str],
    walls: Sequence[float],
    peak_gb: float,
    hardware: Hardware,
    resamples: int = 1000,
    scoring: str | None = None,
    items: Sequence[Any] | None = None,
) -> Scored:
    """WER with CI over the transcribed files (skipped ones are counted, not scored), RTFx from the median round.

    `settings` gives device, batch_size and precision (an engine's settings). `scoring` names the
    scoring version (``--normalizer``; default: the dataset's). `items`, the manifest rows, name the
    scored utterances; when they are a chunked set's (``chunk_keys``), the hypotheses are joined per
    recording and scored against its reference, as the leaderboard does; a skipped chunk leaves a
    gap (its words count as deleted).
    """
    kept = [(r, t) for r, t in zip(results, texts, strict=True) if r.skipped is None]
    if not kept:
        raise RegistryError(f"{dataset.manifest}: every file was skipped ({results[0].skipped})")
    audio_seconds = sum(r.duration for r, _ in kept)
    chunks = chunk_keys(items) if items is not None else None
    if chunks:
        references, hypotheses = merged_by_recording(results, texts, chunks)
        ids = tuple(dict.fromkeys(parent for parent, _ in sorted(chunks)))
    else:
        references, hypotheses = [t for _, t in kept], [r.text or "" for r, _ in kept]
        named = items if items is not None else [None] * len(results)  # results come in input order
        ids = tuple(
            item.audio_filepath if item is not None else str(r.index)
            for r, item in zip(results, named, strict=True)
            if r.skipped is None
        )
    version = scoring_by_name(scoring or dataset.normalizer or dataset.language)
    wer = version.score(references, hypotheses, dataset.language, resamples)
    cuda = settings.device.startswith("cuda")
    measurement = Measurement(
        model=model,
        dataset=dataset.name,
        split=dataset.split,
        language=dataset.language,
        decoder=decoder,
        batch_size=settings.batch_size,
        precision=settings.precision,
        hardware=hardware,
        wer=100 * wer.wer,
        wer_ci=(100 * wer.ci_low, 100 * wer.ci_high),
        cer=None if wer.cer is None else 100 * wer.cer,
        rtfx=audio_seconds / statistics.median(walls),
        peak_gpu_memory_gb=peak_gb if cuda else None,
        peak_cpu_memory_gb=None if cuda else peak_gb,
        scoring=version.name if version.name in LEADERBOARD_VERSIONS else "",
    )
    run = ModelRun(
        name=model,
        measurement=measurement,
        round_seconds=tuple(walls),
        audio_seconds=audio_seconds,
        utterances=len(kept),
        skipped=len(results) - len(kept),
        normalizer=wer.normalizer,
        resamples=wer.resamples,
        errors=wer.counts,
        sentence_error_rate=100 * wer.sentence_error_rate,
        long_audio=_long_audio_mode(settings),
        dataset_revision=dataset.revision,
    )
    return Scored(run, wer, tuple(hypotheses), tuple(references), ids)


def _long_audio_mode(settings: Any) -> str:
    """The engine's long-audio mode ('' where the settings do not say: a Ray worker's, an ensemble's)."""
    plan = getattr(settings, "long_audio", None)
    return str(getattr(plan, "mode", "") or "")


def sweep_batches(
    engine_for: Callable[[int], Any], items: Sequence[Any], sizes: Sequence[int]
) -> tuple[SweepPoint, ...]:
    """Throughput and peak memory per batch size, one timed round each after a warm-up."""
    points = []
    for size in sizes:
        engine = engine_for(size)
        engine.transcribe(items[: size * 2])
        results, wall, peak = _timed_round(engine, items, engine.settings.device)
        audio = sum(r.duration for r in results if r.skipped is None)
        points.append(SweepPoint(size, audio / wall, peak))
    return tuple(points)


def largest_batch(engine_for: Callable[[int], Any], items: Sequence[Any], budget_gb: float, high: int = 1024) -> int:
    """GPU only: the largest batch of the longest utterances whose peak stays within the budget."""
    from asr_registry.engine.inference import is_oom, release_memory
    from asr_registry.metrics.memory import cuda_peak_during, largest_fitting_batch

    longest = sorted(items, key=lambda i: -float(i.fields.get("duration") or 0))

    def fits(size: int) -> bool:
        engine = engine_for(size)
        batch = [longest[i % len(longest)] for i in range(size)]
        try:
            _, peak = cuda_peak_during(lambda: engine.transcribe(batch))
        except RuntimeError as exc:
            if not is_oom(exc):
                raise
            release_memory(engine.settings.device)
            return False
        return peak / 1024**3 <= budget_gb

    return largest_fitting_batch(fits, 1, high)


def claimed_cpu_precision(entry: ModelEntry, device: str | None) -> str | None:
    """On CPU, the one precision the model's claims were recorded in (None: the engine's default).

    The CPU default precision depends on the CPU (bf16 where it computes bf16 natively), but a claim
    is checked under its own conditions: the bundled models' claims were measured in fp32.
    """
    from asr_registry.engine.settings import choose_device

    recorded = {c.precision for c in entry.claims if c.precision}
    if len(recorded) != 1 or choose_device(device) != "cpu":
        return None
    return recorded.pop()


def make_engine(
    entry: ModelEntry,
    catalog: Catalog,
    options: BenchOptions,
    decoder: str | None,
    batch_size: int | None,
    model: Any = None,
    word_confidence: bool = False,
) -> Any:
    """A loaded engine for one decoder and batch size; pass `model` to reuse weights already loaded."""
    from asr_registry.engine import Engine, EngineOptions

    tier = catalog.tiers.get(entry.size)
    engine_options = EngineOptions(
        device=options.device,
        precision=options.precision or claimed_cpu_precision(entry, options.device),
        decoder=decoder if len(entry.decoders) > 1 else None,
        batch_size=batch_size,
        tier=tier.resources if tier else None,
        word_confidence=word_confidence,
        threads=options.threads,
        cuda_graphs=options.cuda_graphs,
        gpu_reports=options.gpu_reports,
        long_audio=options.long_audio,
    )
    engine = Engine(entry, engine_options, model=model)
    engine.load()
    return engine


def prompt_for(engine: Any, dataset: Dataset) -> None:
    """A prompted model (Canary, a language-ID transducer) is told each dataset's language."""
    from asr_registry.engine.prompts import PromptOptions, prompt_style

    if prompt_style(engine.entry):
        engine.set_prompt(PromptOptions(language=dataset.language))


def bench_model(
    entry: ModelEntry,
    catalog: Catalog,
    datasets: Sequence[Dataset],
    options: BenchOptions,
    progress: Progress | None = None,
) -> tuple[list[Scored], Hardware, MachineInfo]:
    """Every decoder of the model on every dataset, then a verdict on each claim."""
    from dataclasses import replace

    tier = catalog.tiers.get(entry.size)
    decoders = options.decoders or entry.decoders
    unknown = [d for d in decoders if d not in entry.decoders]
    if unknown:
        raise RegistryError(f"--decoder {unknown[0]}: {entry.name} has {', '.join(entry.decoders)}")
    loaded: Any = None
    scored: list[Scored] = []
    machine: MachineInfo | None = None
    data = [(dataset, *references(dataset)) for dataset in datasets]
    before = contention_before_timing()  # once the inputs are known to be good

    def engine_for(decoder: str, batch_size: int | None) -> Any:
        nonlocal loaded
        engine = make_engine(entry, catalog, options, decoder, batch_size, loaded)
        loaded = engine.model
        return engine

    meter = Meter()  # other work over the whole bench of this model, own work subtracted
    for decoder in decoders:
        engine = engine_for(decoder, options.batch_size)
        machine = machine or machine_info(engine.settings.device, before)
        hardware = hardware_of(machine)
        for dataset, items, texts in data:
            if progress:
                progress(f"{entry.name} [{decoder}] on {dataset.key}")
            prompt_for(engine, dataset)
            timing = Meter()
            results, walls, peak = timed_rounds(engine, items, options.rounds)
            during = timing.stop()
            result = score_run(
                entry.name,
                engine.settings.decoder or entry.default_decoder,
                engine.settings,
                dataset,
                results,
                texts,
                walls,
                peak,
                hardware,
                options.resamples,
                options.scoring,
                items,
            )
            run = replace(result.run, contention=during, model_revision=entry.source.revision)
            if options.sweep:
                run = replace(run, sweep=sweep_batches(partial(engine_for, decoder), items, options.sweep))
            if options.memory_budget_gb and engine.settings.device.startswith("cuda"):
                size = largest_batch(partial(engine_for, decoder), items, options.memory_budget_gb)
                run = replace(run, largest_batch=size)
            scored.append(replace(result, run=run))
    assert machine is not None
    hardware = hardware_of(machine, meter.stop())
    return with_verdicts(entry, scored, hardware, tier, options.available, options.resamples), hardware, machine


def with_verdicts(
    entry: ModelEntry,
    scored: Sequence[Scored],
    hardware: Hardware,
    tier: Tier | None,
    available: Collection[str],
    resamples: int = 1000,
) -> list[Scored]:
    """The runs of one model, each with the verdicts that rest on it (those resting on none go with the first).

    A claim scored with another leaderboard version than the run is checked on the run rescored
    with that version (``rescored_for_claims``)."""
    from dataclasses import replace

    extra = rescored_for_claims(entry, scored, resamples)
    measurements = [s.run.measurement for s in scored] + [m for _, m in extra]
    verdicts = check_claims(entry, measurements, hardware, tier, available, claim_estimate)
    owner = {id(m): position for position, m in extra} | {id(s.run.measurement): i for i, s in enumerate(scored)}
    attached = []
    for position, item in enumerate(scored):
        mine = tuple(v for v in verdicts if owner.get(id(v.used), 0) == position)
        attached.append(replace(item, run=replace(item.run, verdicts=mine)))
    return attached


def pair_up(scored: Sequence[Scored], resamples: int = 1000) -> list[ModelRun]:
    """Fill each run's `beats`: P(this run's WER < other's) over runs on the same data."""
    from dataclasses import replace

    from asr_registry.metrics.wer import compare

    runs = []
    for a in scored:
        beats = {}
        for b in scored:
            same_data = (a.run.measurement.dataset, a.run.measurement.split) == (
                b.run.measurement.dataset,
                b.run.measurement.split,
            )
            if a is b or not same_data or a.wer.n_utterances != b.wer.n_utterances:
                continue
            beats[b.run.label] = round(compare(a.wer, b.wer, resamples=resamples).prob_a_better, 4)
        runs.append(replace(a.run, beats=beats))
    return runs


def build_report(runs: Sequence[ModelRun], machine: MachineInfo, started: datetime, rounds: int) -> BenchReport:
    return BenchReport(tuple(runs), machine, started.astimezone(UTC).isoformat(timespec="seconds"), rounds)
