"""`transcribe --executor ray`: the engine over a Ray Data actor pool, crash-safe across shards.

The driver reads and checks the manifest, cuts it into shards (`scale.shards`), and hands
the shards to Ray Data, which runs them through `ShardWorker` actors (one model each, one
GPU each on a GPU cluster). As each shard comes back its rows are appended to the same
journal a local run writes (`engine.output.Journal`, one fsynced write per shard), and the
output appears atomically in input order at the end: byte for byte what the local executor
writes. After the driver is killed, `--resume` redoes only the shards with a row missing
from the journal; a worker that dies is restarted by Ray and its shard retried.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from asr_registry.engine.files import OutputLock
from asr_registry.engine.manifest import ManifestItem, default_output_path, read_manifest
from asr_registry.engine.manifest_run import (
    check_pred_key,
    finished_rows,
    finished_summary,
    journal_header,
    prepare_run_output,
)
from asr_registry.engine.output import (
    Journal,
    check_resume,
    partial_path,
    read_journal,
)
from asr_registry.engine.runner import RunSummary, SkippedFile
from asr_registry.errors import RegistryError
from asr_registry.scale.cluster import Cluster, PoolSize, connect, local_cpus_for, size_pool
from asr_registry.scale.shards import ShardOutput, default_shard_rows, encode_shard, plan_shards, unfinished
from asr_registry.scale.sigterm import StopOnSigterm
from asr_registry.scale.spec import TranscriberSpec
from asr_registry.scale.worker import not_visible_reason

log = logging.getLogger("asr_registry.engine")

Progress = Callable[[int, float], None]  # (rows finished, their audio seconds) per shard


def mark_unseen(output: ShardOutput, items: Mapping[int, ManifestItem]) -> ShardOutput:
    """Rows a worker skipped because it cannot see a folder that the driver sees: a storage problem.

    Elsewhere (the folder is missing here too) the local executor's reason stays, so the
    output is the same bytes as a local run's.
    """
    if not output.unseen:
        return output
    host = output.worker.rsplit(":", 1)[0]
    seen_here: dict[Path, bool] = {}
    rows = dict(output.rows)
    reasons: dict[int, str] = {}
    for index in output.unseen:
        folder = items[index].audio_path.parent
        if folder not in seen_here:
            seen_here[folder] = folder.is_dir()
        if seen_here[folder]:
            reasons[index] = not_visible_reason(items[index].audio_path, host)
            rows[index] = {**rows[index], "skipped": reasons[index]}
    if not reasons:
        return output
    skipped = tuple((i, a, reasons.get(i, r)) for i, a, r in output.skipped)
    return replace(output, rows=rows, skipped=skipped)


@dataclass
class WorkerFigures:
    """One actor's share of the run (a restarted actor is a new process: a new entry)."""

    worker: str
    shards: int = 0
    rows: int = 0
    audio_seconds: float = 0.0
    busy_seconds: float = 0.0
    load_seconds: float = 0.0

    @property
    def rtfx(self) -> float:
        return self.audio_seconds / self.busy_seconds if self.busy_seconds > 0 else 0.0


@dataclass(frozen=True)
class ScaleSummary:
    run: RunSummary
    address: str  # "local" or the cluster address
    nodes: int
    workers: int
    gpus_per_worker: float
    shard_rows: int
    shards: int  # in the whole run
    shards_run: int  # by this run (the rest were in the journal already)
    startup_seconds: float  # starting or joining Ray
    pool_startup_seconds: float = 0.0  # from submitting the shards to the first model ready
    per_worker: tuple[WorkerFigures, ...] = field(default=())


def _error_from_ray(exc: BaseException) -> RegistryError | None:
    """An error inside an actor as one line: a RegistryError (bad checksum, unknown model) as
    itself, anything else (a worker's broken environment) as the exception it ended with."""
    lines = [line.strip() for line in str(exc).splitlines()]
    marker = "RegistryError: "
    for line in reversed(lines):
        if marker in line:
            return RegistryError(line.split(marker, 1)[1].strip())
    for line in reversed(lines):
        if re.match(r"^[A-Za-z_.]*(Error|Exception): ", line):
            return RegistryError(f"a Ray worker failed: {line}")
    return None


def _shard_rows_for(out: Path, resume: bool, rows: int, workers: int, requested: int | None, align: int = 1) -> int:
    """A resumed run keeps the first run's shards (same batches, same bytes).

    `align`: an ensemble transcribes blocks of `Ensemble.BLOCK_ROWS` rows; shards of whole
    blocks give each member exactly the batches a local run gives it, down to the last digit
    of every confidence (other shard sizes change batches, and confidences by float noise).
    """
    if resume and partial_path(out).exists():
        state, _ = read_journal(partial_path(out))
        earlier = state.header.get("shard_rows") if state is not None else None
        if isinstance(earlier, int) and earlier > 0:
            if requested is not None and requested != earlier:
                log.info("resuming with the interrupted run's --shard-rows %d (not %d)", earlier, requested)
            return earlier
    if requested is not None:
        if requested < 1:
            raise RegistryError("--shard-rows must be at least 1")
        return requested
    size = default_shard_rows(rows, workers)
    return -(-size // align) * align


def run_manifest_ray(
    spec: TranscriberSpec,
    manifest_in: str | Path,
    manifest_out: str | Path | None = None,
    *,
    resume: bool = False,
    in_place: bool = False,
    pred_key: str = "pred_text",
    address: str | None = None,
    workers: int | None = None,
    gpus_per_worker: float | None = None,
    shard_rows: int | None = None,
    progress: Progress | None = None,
    on_start: Callable[[int, int], None] | None = None,
    verbose: bool = False,
    overwrite_field: bool = False,
) -> ScaleSummary:
    """The manifest over Ray; the same checks as a local run, all before Ray starts."""
    items = read_manifest(manifest_in)
    if not items:
        raise RegistryError(f"{manifest_in}: the manifest has no rows; nothing to transcribe")
    # Built on the driver only to validate the request and name the run; never loaded here.
    naming = spec.on_device("cpu").build()
    out = Path(manifest_out) if manifest_out else default_output_path(manifest_in, naming.name)
    with OutputLock(out, option="--out"):
        return _run_locked(
            spec,
            naming,
            manifest_in,
            out,
            items,
            resume=resume,
            in_place=in_place,
            pred_key=pred_key,
            address=address,
            workers=workers,
            gpus_per_worker=gpus_per_worker,
            shard_rows=shard_rows,
            progress=progress,
            on_start=on_start,
            verbose=verbose,
            overwrite_field=overwrite_field,
        )


def _run_locked(
    spec: TranscriberSpec,
    naming: Any,
    manifest_in: str | Path,
    out: Path,
    items: list[ManifestItem],
    *,
    resume: bool,
    in_place: bool,
    pred_key: str,
    address: str | None,
    workers: int | None,
    gpus_per_worker: float | None,
    shard_rows: int | None,
    progress: Progress | None,
    on_start: Callable[[int, int], None] | None,
    verbose: bool,
    overwrite_field: bool,
) -> ScaleSummary:
    done = finished_rows(out, items, pred_key) if resume else None
    if done is not None:
        log.info("%s is already finished (all %d rows); nothing to do", out, len(items))
        run = finished_summary(naming, out, items, done)
        return ScaleSummary(
            run=run,
            address="",
            nodes=0,
            workers=0,
            gpus_per_worker=0.0,
            shard_rows=0,
            shards=0,
            shards_run=0,
            startup_seconds=0.0,
        )
    check_pred_key(items, pred_key, manifest_in, overwrite_field)
    engines = list(getattr(naming, "engines", ())) or [naming]
    members = len(engines)
    backup = prepare_run_output(manifest_in, out, len(items), resume, in_place, members, spec.word_confidence)
    from asr_registry.engine.loading import verify_before_load

    verify_before_load([engine.entry for engine in engines])  # checksums: before any worker starts
    if resume:  # the header without shard_rows (taken from the journal itself): before Ray starts
        check_resume(out, journal_header(naming, manifest_in, len(items), pred_key))

    cluster = connect(address, local_cpus=local_cpus_for(workers), verbose=verbose)
    pool = size_pool(cluster, workers, gpus_per_worker)
    size = _shard_rows_for(out, resume, len(items), pool.workers, shard_rows, getattr(naming, "BLOCK_ROWS", 1))
    header = {**journal_header(naming, manifest_in, len(items), pred_key), "shard_rows": size}
    shards = plan_shards(items, size)
    fresh = not (resume and partial_path(out).exists())
    journal = Journal(out, header, resume=resume)
    by_index = {item.index: item for item in items}
    stopper = StopOnSigterm(partial_path(out))
    try:
        with journal, stopper:
            todo = unfinished(shards, journal.rows)
            done_rows = len(items) - sum(len(s.items) for s in todo)
            if done_rows:
                log.info(
                    "resuming: %d of %d rows already done; %d of %d shards to run",
                    done_rows,
                    len(items),
                    len(todo),
                    len(shards),
                )
            if on_start is not None:
                on_start(len(items), done_rows)
            started = time.perf_counter()

            marked: dict[int, ShardOutput] = {}

            def record(output: ShardOutput) -> None:
                output = marked[output.shard] = mark_unseen(output, by_index)
                stopper.critical = True
                try:
                    journal.append(output.rows)  # one fsynced write per shard
                finally:
                    stopper.critical = False
                if stopper.pending:
                    stopper.stop()
                if progress is not None:
                    progress(len(output.rows), output.audio_seconds)

            outputs, first_start = run_shards(spec, todo, pool, pred_key, record, verbose) if todo else ([], started)
            outputs = [marked.get(o.shard, o) for o in outputs]
            ended = time.perf_counter()
            # Like a local run's, the wall time counts transcription only: from the moment the
            # first worker had its model loaded; pool start-up is reported apart.
            wall = ended - min(max(first_start, started), ended)
            pool_startup = max(first_start, started) - started
            journal.finish(len(items), backup=backup)
    except BaseException:
        if fresh and not journal.rows:
            partial_path(out).unlink(missing_ok=True)  # nothing done: leave nothing to trip over
        raise
    summary = _summarize(naming, out, len(items), done_rows, outputs, wall, cluster, pool, size, len(shards))
    return replace(summary, pool_startup_seconds=pool_startup)


def run_shards(
    spec: TranscriberSpec,
    todo: list[Any],
    pool: PoolSize,
    pred_key: str,
    on_output: Callable[[ShardOutput], None],
    verbose: bool = False,
) -> tuple[list[ShardOutput], float]:
    """Run shards on an actor pool, calling `on_output` as each comes back (in completion order).

    Returns the outputs and the moment (perf_counter) the first worker began transcribing.
    """
    import ray
    import ray.data

    from asr_registry.scale.worker import ShardWorker

    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False  # the driver prints its own
    if not verbose:
        logging.getLogger("ray.data").setLevel(logging.ERROR)
    device = spec.device or ("cuda" if pool.gpus_per_worker > 0 else "cpu")
    # An explicit torch thread count per actor keeps CPU actors from fighting over the same cores.
    worker_spec = replace(spec.on_device(device), threads=spec.threads or pool.threads)
    dataset = ray.data.from_items([encode_shard(s) for s in todo], override_num_blocks=len(todo))
    mapped = dataset.map_batches(
        ShardWorker,
        fn_constructor_kwargs={"spec": worker_spec, "pred_key": pred_key},
        batch_size=1,
        compute=ray.data.ActorPoolStrategy(size=min(pool.workers, len(todo))),
        num_cpus=pool.cpus_per_worker,
        num_gpus=pool.gpus_per_worker or None,
    )
    outputs: list[ShardOutput] = []
    first_start = float("inf")
    try:
        for record in mapped.iter_rows():
            output = ShardOutput.decode(str(record["output"]))
            first_start = min(first_start, time.perf_counter() - output.busy_seconds)
            on_output(output)
            outputs.append(output)
    except RegistryError:
        raise
    except Exception as exc:
        error = _error_from_ray(exc)
        if error is not None:
            raise error from None
        raise
    return outputs, first_start


def _summarize(
    naming: Any,
    out: Path,
    total: int,
    resumed: int,
    outputs: list[ShardOutput],
    wall: float,
    cluster: Cluster,
    pool: PoolSize,
    shard_rows: int,
    shards: int,
) -> ScaleSummary:
    figures: dict[str, WorkerFigures] = {}
    skipped: list[SkippedFile] = []
    for o in outputs:
        f = figures.setdefault(o.worker, WorkerFigures(o.worker))
        f.shards += 1
        f.rows += len(o.rows)
        f.audio_seconds += o.audio_seconds
        f.busy_seconds += o.busy_seconds
        f.load_seconds = o.load_seconds
        skipped.extend(SkippedFile(i, a, r) for i, a, r in o.skipped)
    audio = sum(o.audio_seconds for o in outputs)
    first = outputs[0] if outputs else None
    settings = naming.settings
    run = RunSummary(
        model=naming.name,
        output=str(out),
        files=total,
        transcribed=sum(o.transcribed for o in outputs),
        resumed=resumed,
        skipped=tuple(sorted(skipped, key=lambda s: s.index)),
        audio_seconds=audio,
        wall_seconds=wall,
        load_seconds=max((f.load_seconds for f in figures.values()), default=0.0),
        rtfx=audio / wall if wall > 0 else 0.0,
        device=first.device if first else settings.device,
        precision=first.precision if first else settings.precision,
        decoder=naming.decoder,
        batch_size=first.batch_size if first else settings.batch_size,
        chunked_files=sum(o.chunked for o in outputs),
        oom_splits=sum(o.oom_splits for o in outputs),
        members=tuple(getattr(naming, "member_summary", ())),
        combiner=getattr(naming, "combiner_spec", ""),
    )
    return ScaleSummary(
        run=run,
        address=cluster.address,
        nodes=cluster.nodes,
        workers=pool.workers,
        gpus_per_worker=pool.gpus_per_worker,
        shard_rows=shard_rows,
        shards=shards,
        shards_run=len(outputs),
        startup_seconds=cluster.startup_seconds,
        per_worker=tuple(sorted(figures.values(), key=lambda f: f.worker)),
    )
