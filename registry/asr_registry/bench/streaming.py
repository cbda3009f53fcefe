"""`bench --streaming`: what a streaming user decides on, per chunk size and beside the offline run.

For a cache-aware streaming model and one dataset, one row per run:

* offline: the whole file at once (`Engine`), WER and real-time factor;
* each chunk size the catalog lists: the files streamed chunk by chunk (`StreamingEngine`), WER,
  the compute time of one chunk step (median and p95, one step encodes one chunk of every file in
  the batch) and the real-time factor (compute seconds over audio seconds; below 1 keeps up).

Then a verdict on every streaming claim (WER at a chunk size, chunk latency) and offline WER claim.
A shadow (random weights) gives latency only: its WER is reported as meaningless, never judged.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from asr_registry.bench.claims import Hardware, Measurement, StreamingMeasurement, Verdict, check_streaming_claims
from asr_registry.bench.contention import Meter
from asr_registry.bench.results import MachineInfo
from asr_registry.bench.runner import BenchOptions, contention_before_timing, hardware_of, machine_info, references
from asr_registry.catalog.schema import Catalog, Dataset, ModelEntry

if TYPE_CHECKING:
    from asr_registry.bench.plan import BenchPlan

Progress = Callable[[str], None]


@dataclass(frozen=True)
class StreamingRow:
    """One run of the model: offline (chunk_ms None) or streamed at one chunk size."""

    chunk_ms: int | None
    att_context_size: tuple[int, int] | None  # [left, right] encoder frames; None offline
    wer: float  # percent
    wer_ci: tuple[float, float]
    rtf: float  # compute seconds / audio seconds (offline: wall seconds of the whole run)
    latency_ms: float | None  # median compute time per chunk step; None offline
    latency_p95_ms: float | None
    chunks: int  # chunk steps timed (0 offline)
    utterances: int
    skipped: int
    audio_seconds: float

    @property
    def mode(self) -> str:
        return "offline" if self.chunk_ms is None else f"{self.chunk_ms} ms"


@dataclass(frozen=True)
class StreamingBench:
    """A streaming bench of one model on one dataset."""

    model: str
    dataset: str  # "name:split"
    decoder: str
    batch_size: int
    precision: str
    machine: MachineInfo
    hardware: Hardware
    rows: tuple[StreamingRow, ...]
    verdicts: tuple[Verdict, ...]
    wer_meaningful: bool  # False for a shadow: random weights, WER means nothing
    normalizer: str

    @property
    def failed(self) -> bool:
        return any(v.status == "FAIL" for v in self.verdicts)


def _percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _score(
    dataset: Dataset, results: Sequence[Any], texts: Sequence[str], resamples: int
) -> tuple[Any, list[Any], float]:
    """(WER result, kept results, audio seconds) over the files that were not skipped."""
    from asr_registry.errors import RegistryError
    from asr_registry.metrics.normalize import get_normalizer
    from asr_registry.metrics.wer import score

    kept = [(r, t) for r, t in zip(results, texts, strict=True) if r.skipped is None]
    if not kept:
        raise RegistryError(f"{dataset.manifest}: every file was skipped ({results[0].skipped})")
    normalizer = get_normalizer(dataset.normalizer or dataset.language)
    wer = score([t for _, t in kept], [r.text or "" for r, _ in kept], resamples=resamples, normalizer=normalizer)
    return wer, [r for r, _ in kept], sum(r.duration for r, _ in kept)


def _row(
    chunk: Any, wer: Any, kept: Sequence[Any], total: int, audio: float, compute: float, steps: Sequence[float]
) -> StreamingRow:
    return StreamingRow(
        chunk_ms=None if chunk is None else chunk.ms,
        att_context_size=None if chunk is None else (chunk.left, chunk.right),
        wer=100 * wer.wer,
        wer_ci=(100 * wer.ci_low, 100 * wer.ci_high),
        rtf=compute / audio if audio else 0.0,
        latency_ms=1000 * statistics.median(steps) if steps else None,
        latency_p95_ms=1000 * _percentile(steps, 0.95) if steps else None,
        chunks=len(steps),
        utterances=len(kept),
        skipped=total - len(kept),
        audio_seconds=audio,
    )


def bench_streaming(
    entry: ModelEntry,
    dataset: Dataset,
    options: BenchOptions,
    chunk_sizes_ms: Sequence[int] = (),
    *,
    progress: Progress | None = None,
    wer_meaningful: bool = True,
    model: Any = None,
) -> StreamingBench:
    """Bench `entry` offline, then streamed at each of `chunk_sizes_ms` (default: every one it supports).

    `model`: an already loaded NeMo model (a shadow built in memory). `wer_meaningful=False` for
    random weights: the rows still carry a WER, but no claim is judged on it.
    """
    from asr_registry.engine import Engine, EngineOptions
    from asr_registry.engine.streaming import StreamingEngine, choose_chunk_size, chunk_sizes

    sizes = [choose_chunk_size(entry, ms) for ms in chunk_sizes_ms] or list(chunk_sizes(entry))
    items, texts = references(dataset)
    before = contention_before_timing()
    engine_options = EngineOptions(
        device=options.device,
        precision=options.precision,
        batch_size=options.batch_size,
        threads=options.threads,
        decoder=options.decoders[0] if options.decoders else None,
    )
    # Offline first, at the model's default attention context, before streaming reconfigures it.
    offline = Engine(entry, engine_options, model=model)
    offline.load()
    machine = machine_info(offline.settings.device, before)
    meter = Meter()  # other work while this model runs (a busy machine makes a latency miss UNVERIFIABLE)
    offline.transcribe(items[: offline.settings.batch_size])  # warm-up, untimed
    if progress:
        progress(f"{entry.name} offline on {dataset.key}")
    started = time.perf_counter()
    results = offline.transcribe(items)
    wall = time.perf_counter() - started
    wer, kept, audio = _score(dataset, results, texts, options.resamples)
    rows = [_row(None, wer, kept, len(results), audio, wall, ())]
    normalizer = wer.normalizer
    streamer = StreamingEngine(entry, engine_options, sizes[0].ms, model=offline.model)
    for size in sizes:
        if progress:
            progress(f"{entry.name} streamed in {size.ms} ms chunks on {dataset.key}")
        streamer.set_chunk_size(size.ms)
        streamer.transcribe(items[: streamer.settings.batch_size])  # warm-up at this lookahead
        streamer.chunk_seconds = []
        results = streamer.transcribe(items)
        wer, kept, audio = _score(dataset, results, texts, options.resamples)
        steps = list(streamer.chunk_seconds)
        rows.append(_row(size, wer, kept, len(results), audio, sum(steps), steps))
    hardware = hardware_of(machine, meter.stop())
    s = offline.settings
    decoder = s.decoder or entry.default_decoder
    measured = [_measured(entry, dataset, decoder, s, hardware, row, wer_meaningful) for row in rows]
    verdicts = check_streaming_claims(entry, measured, hardware)
    return StreamingBench(
        entry.name,
        dataset.key,
        decoder,
        s.batch_size,
        s.precision,
        machine,
        hardware,
        tuple(rows),
        tuple(verdicts),
        wer_meaningful,
        normalizer,
    )


def _measured(
    entry: ModelEntry,
    dataset: Dataset,
    decoder: str,
    settings: Any,
    hardware: Hardware,
    row: StreamingRow,
    wer_meaningful: bool,
) -> StreamingMeasurement:
    measurement = Measurement(
        model=entry.name,
        dataset=dataset.name,
        split=dataset.split,
        language=dataset.language,
        decoder=decoder,
        batch_size=settings.batch_size,
        precision=settings.precision,
        hardware=hardware,
        wer=row.wer,
        wer_ci=row.wer_ci,
        rtfx=1 / row.rtf if row.rtf else None,
    )
    return StreamingMeasurement(measurement, row.chunk_ms, row.latency_ms, row.latency_p95_ms, wer_meaningful)


def streaming_json(bench: StreamingBench) -> dict[str, Any]:
    """The JSON report of a streaming bench (`bench --streaming --json`)."""
    from dataclasses import asdict

    return {
        "model": bench.model,
        "dataset": bench.dataset,
        "decoder": bench.decoder,
        "batch_size": bench.batch_size,
        "precision": bench.precision,
        "device": bench.machine.device,
        "hardware": bench.hardware.describe(),
        "normalizer": bench.normalizer,
        "wer_meaningful": bench.wer_meaningful,
        "rows": [asdict(row) | {"mode": row.mode} for row in bench.rows],
        "verdicts": [
            {
                "claim": f"{v.claim.metric} {v.claimed} ({v.claim.describe_conditions()})",
                "status": v.status,
                "measured": v.measured,
                "tolerance": v.tolerance,
                "reason": v.reason,
            }
            for v in bench.verdicts
        ],
    }


@dataclass(frozen=True)
class StreamingRequest:
    """`bench --streaming [--chunk-size MS ...]`: the chunk sizes to stream at (empty: all the model's)."""

    chunk_sizes_ms: tuple[int, ...] = ()


def run_streaming_bench(
    plan: BenchPlan,
    catalog: Catalog,
    datasets: Mapping[str, Dataset],
    request: StreamingRequest,
    progress: Progress | None = None,
) -> list[StreamingBench]:
    """Every model of `plan` on each of its datasets; refused for what streaming does not cover."""
    from asr_registry.bench.targets import plan as pairs_of
    from asr_registry.engine.loading import verify_before_load
    from asr_registry.engine.streaming import choose_chunk_size, chunk_sizes
    from asr_registry.errors import RegistryError

    if plan.request.ensemble or plan.suite or plan.options.sweep or plan.options.memory_budget_gb:
        raise RegistryError(
            "--streaming benches models on manifests or datasets; not --ensemble, --oal, --sweep or --memory-budget"
        )
    pairs = pairs_of(catalog, datasets, plan.request.models, plan.user_data)
    for entry, _ in pairs:  # refused before anything loads
        chunk_sizes(entry)
        for ms in request.chunk_sizes_ms:
            choose_chunk_size(entry, ms)
    verify_before_load([entry for entry, _ in pairs])
    return [
        bench_streaming(entry, dataset, plan.options, request.chunk_sizes_ms, progress=progress)
        for entry, chosen in pairs
        for dataset in chosen
    ]
