"""`bench --executor ray`: the same measurements, with the transcription spread over an actor pool.

Every (model, decoder, dataset) runs as one Ray Data job whose shards are the dataset cut
into pieces, `rounds` times over, so the pool starts and loads the model once per job. WER
is scored on the last round's rows (every round transcribes the same rows identically).

Speed: claims are about one model on one device, so the RTFx checked against them is one
worker's: audio seconds over the seconds a worker spent transcribing (summed over workers,
median over rounds). The pool's combined throughput (audio over the job's wall time) is
reported beside it. Peak memory is not measured on remote workers: memory claims are
UNVERIFIABLE in this mode.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from asr_registry.bench.results import Scored
from asr_registry.bench.runner import (
    BenchOptions,
    hardware_of,
    machine_info,
    references,
    score_run,
    with_verdicts,
)
from asr_registry.bench.targets import plan
from asr_registry.catalog.schema import Catalog, Dataset
from asr_registry.engine.manifest import ManifestItem
from asr_registry.engine.prompts import PromptOptions, prompt_style
from asr_registry.scale.cluster import PoolSize, connect, local_cpus_for, size_pool
from asr_registry.scale.executor import run_shards
from asr_registry.scale.shards import Shard, ShardOutput, default_shard_rows
from asr_registry.scale.spec import TranscriberSpec


@dataclass(frozen=True)
class RowResult:
    """What `score_run` reads of a result."""

    index: int
    text: str | None
    duration: float
    skipped: str | None


@dataclass(frozen=True)
class PoolRun:
    results: list[RowResult]  # input order
    worker_walls: list[float]  # per round: seconds one worker would have needed (sum of busy)
    pool_walls: list[float]  # per round: wall seconds of the pool
    outputs: list[ShardOutput]


def run_rounds(
    spec: TranscriberSpec, items: Sequence[ManifestItem], pool: PoolSize, rounds: int, shard_rows: int | None = None
) -> PoolRun:
    size = shard_rows or default_shard_rows(len(items), pool.workers)
    pieces = [tuple(items[start : start + size]) for start in range(0, len(items), size)]
    shards = [Shard(r * len(pieces) + k, piece) for r in range(rounds) for k, piece in enumerate(pieces)]
    arrivals: dict[int, float] = {}

    def arrived(output: ShardOutput) -> None:
        arrivals[output.shard] = time.perf_counter()

    outputs, _ = run_shards(spec, shards, pool, "pred_text", arrived)
    by_round: dict[int, list[ShardOutput]] = {}
    for output in outputs:
        by_round.setdefault(output.shard // len(pieces), []).append(output)
    worker_walls = [sum(o.busy_seconds for o in by_round[r]) for r in sorted(by_round)]
    pool_walls = []
    for r in sorted(by_round):
        ends = [arrivals[o.shard] for o in by_round[r]]
        starts = [arrivals[o.shard] - o.busy_seconds for o in by_round[r]]
        pool_walls.append(max(ends) - min(starts))
    last = by_round[max(by_round)]
    rows = {i: row for o in last for i, row in o.rows.items()}
    durations = {i: d for o in last for i, d in o.durations.items()}
    results = [
        RowResult(
            item.index,
            rows[item.index].get("pred_text"),
            durations.get(item.index, 0.0),
            rows[item.index].get("skipped"),
        )
        for item in items
    ]
    return PoolRun(results, worker_walls, pool_walls, outputs)


def bench_models_ray(
    models: Sequence[str],
    catalog: Catalog,
    datasets: Mapping[str, Dataset],
    user_data: Dataset | None,
    options: BenchOptions,
    scale: Any,
) -> tuple[list[Scored], Any, list[str]]:
    """Scored runs, the workers' machine info, and lines reporting each pool's throughput.

    `scale` is an `asr_registry.scale.request.ScaleRequest` (address, workers, GPUs per worker, shard rows).
    """
    cluster = connect(scale.address, local_cpus=local_cpus_for(scale.workers))
    pool = size_pool(cluster, scale.workers, scale.gpus_per_worker)
    device = options.device or ("cuda" if pool.gpus_per_worker > 0 else "cpu")
    scored: list[Scored] = []
    lines = [
        f"Ray: {cluster.address} ({cluster.nodes} node(s)), {pool.workers} worker(s)"
        f"{f', {pool.gpus_per_worker:g} GPU each' if pool.gpus_per_worker else ', CPU'}; "
        f"start-up {cluster.startup_seconds:.1f} s"
    ]
    machine = None
    for entry, entry_datasets in plan(catalog, datasets, list(models), user_data):
        tier = catalog.tiers.get(entry.size)
        mine: list[Scored] = []
        for decoder in options.decoders or entry.decoders:
            spec = TranscriberSpec(
                model=entry.name,
                decoder=decoder if len(entry.decoders) > 1 else None,
                device=device,
                precision=options.precision,
                batch_size=options.batch_size,
                threads=options.threads or pool.threads,
            )
            settings = spec.on_device("cpu").build().settings if device == "cpu" else None
            for dataset in entry_datasets:
                items, texts = references(dataset)
                # A prompted model (Canary, a language-ID transducer) is told each dataset's language.
                told = replace(spec, prompt=PromptOptions(language=dataset.language)) if prompt_style(entry) else spec
                run = run_rounds(told, items, pool, options.rounds, scale.shard_rows)
                first = run.outputs[0]
                machine = machine or replace(
                    machine_info("cpu"),
                    device="cuda" if first.gpu else "cpu",
                    gpu=first.gpu,
                    torch_threads=pool.threads,
                )
                used = settings or _RemoteSettings(first.device, first.batch_size, first.precision)
                result = score_run(
                    entry.name,
                    decoder,
                    used,
                    dataset,
                    run.results,
                    texts,
                    run.worker_walls,
                    0.0,
                    hardware_of(machine),
                    options.resamples,
                    options.scoring,
                    items,
                )
                measurement = replace(result.run.measurement, peak_gpu_memory_gb=None, peak_cpu_memory_gb=None)
                mine.append(replace(result, run=replace(result.run, measurement=measurement)))
                audio = result.run.audio_seconds
                lines.append(
                    f"{entry.name} [{decoder}] on {dataset.key}: {pool.workers} worker(s) together RTFx "
                    f"{audio / statistics.median(run.pool_walls):.1f}, one worker RTFx "
                    f"{measurement.rtfx:.1f}"
                )
        assert machine is not None
        scored.extend(with_verdicts(entry, mine, hardware_of(machine), tier, options.available, options.resamples))
    return scored, machine, lines


@dataclass(frozen=True)
class _RemoteSettings:
    """The settings `score_run` reads, as a GPU worker reported them."""

    device: str
    batch_size: int
    precision: str
