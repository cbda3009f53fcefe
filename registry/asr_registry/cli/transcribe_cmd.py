"""`asr-registry transcribe MANIFEST --model NAME`: run a catalog model over a NeMo manifest.

Only argument parsing and presentation live here; the work is `asr_registry.engine`,
imported inside the command so that other commands never pay for numpy/torch/NeMo.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import click

from asr_registry.catalog.schema import DECODERS, PRECISIONS
from asr_registry.cli.hf_options import hf_options
from asr_registry.cli.output import echo_json, echo_table, json_option
from asr_registry.cli.prompt_options import prompt_options
from asr_registry.cli.scale_options import ScaleRequest, scale_options


def _setup_logging(verbose: bool) -> None:
    from asr_registry.cli.notes import route_notes

    route_notes(verbose, "asr_registry.engine")


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:.3f} h ({seconds:.1f} s)"


@click.command("transcribe")
@click.argument("manifest", type=click.Path(dir_okay=False), required=False)
@click.option("--model", "model_name", help="Catalog model name (see `asr-registry list`).")
@click.option("--ensemble", help="Instead of --model: members A,B,C (MODEL or MODEL:DECODER), each loaded once.")
@click.option("--combiner", default="rover", show_default=True,
              help="With --ensemble: rover[:method=freq|avgconf|maxconf,alpha=A,null_conf=C], majority, best-confidence, or a plugin's.")  # fmt: skip
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    help="Output manifest. Default: MANIFEST_STEM.MODEL.pred.jsonl beside the input manifest.",
)
@click.option(
    "--in-place",
    is_flag=True,
    help="Write the output over MANIFEST itself (refused otherwise); the original is kept as MANIFEST.bak.",
)
@click.option(
    "--batch-size",
    type=int,
    help="Files per batch. Default: catalog figure for the GPU's memory, else 32 on GPU, 16 on CPU.",
)
@click.option(
    "--max-batch-seconds",
    type=float,
    help="Bound on padded audio per batch (files x longest). Default: 30 s x batch size.",
)
@click.option(
    "--max-audio-seconds",
    type=float,
    help="Longer files are split into overlapping chunks of at most this length and the "
    "chunk transcripts joined at word timestamps. Default: 300.",
)
@click.option("--chunk-overlap", "chunk_overlap", type=float, help="Seconds of overlap between chunks. Default: 4.")
@click.option("--precision", type=click.Choice(PRECISIONS), help="Default: the catalog's recommendation (fp32 on CPU).")
@click.option(
    "--decoder",
    type=click.Choice(DECODERS),
    help="Decoder of a hybrid model (rnnt or ctc). Default: the catalog's first.",
)
@prompt_options()
@click.option("--device", help="cpu, cuda or cuda:N. Default: cuda when available.")
@click.option("--resume", is_flag=True, help="Continue an interrupted run from OUT.partial.")
@click.option("--pred-key", default="pred_text", show_default=True, help="Output field for the transcript.")
@click.option("--word-confidence", is_flag=True, help="Add pred_words and pred_word_confidence (NeMo word confidence).")
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False),
    help="Checkpoint cache (default: $ASR_REGISTRY_CACHE, else NeMo/HF defaults).",
)
@click.option("--decode-threads", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Audio decoding threads (per worker).")  # fmt: skip
@click.option("--threads", type=click.IntRange(1, 1024),
              help="Torch CPU threads (per worker). Default: usable cores minus one, left to decoding.")  # fmt: skip
@scale_options
@click.option("--no-progress", is_flag=True, help="No progress bar.")
@click.option("-v", "--verbose", is_flag=True, help="More notes on stderr.")
@hf_options()
@json_option
def command(
    manifest: str,
    model_name: str | None,
    ensemble: str | None,
    combiner: str,
    out: str | None,
    in_place: bool,
    batch_size: int | None,
    max_batch_seconds: float | None,
    max_audio_seconds: float | None,
    chunk_overlap: float | None,
    precision: str | None,
    decoder: str | None,
    prompt_fields: dict[str, str],
    device: str | None,
    resume: bool,
    pred_key: str,
    word_confidence: bool,
    cache_dir: str | None,
    decode_threads: int,
    threads: int | None,
    executor: str,
    address: str | None,
    workers: int | None,
    gpus_per_worker: float | None,
    shard_rows: int | None,
    no_progress: bool,
    verbose: bool,
    as_json: bool,
    **hf: Any,
) -> None:
    """Transcribe every file of a NeMo JSONL MANIFEST (or of --hf-dataset) with a catalog model.

    Output rows are the input rows plus the transcript under --pred-key, in input
    order. Unreadable, missing or empty audio is not fatal: its row gets
    `PRED_KEY: null` and a `skipped` reason. Files of any sample rate and channel
    count are downmixed to mono and resampled to the model's rate.

    Rows are journaled to OUT.partial after every batch and OUT appears (atomically)
    only when all rows are done; after a crash, run again with --resume.
    """
    from asr_registry.cli.hf_options import manifest_of
    from asr_registry.engine.prompts import PromptOptions
    from asr_registry.scale.spec import TranscriberSpec

    # The spec checks --model/--ensemble/--decoder; the engines are built from it only after the
    # checks that need no model (output paths, manifest, checksums) have passed.
    spec = TranscriberSpec(model=model_name, ensemble=ensemble, decoder=decoder, combiner=combiner,
                           word_confidence=word_confidence, device=device, precision=precision,
                           batch_size=batch_size, max_batch_seconds=max_batch_seconds,
                           max_audio_seconds=max_audio_seconds, chunk_overlap_seconds=chunk_overlap,
                           cache_dir=cache_dir, decode_threads=decode_threads, threads=threads,
                           prompt=PromptOptions(**prompt_fields))  # fmt: skip
    _setup_logging(verbose)
    manifest, out = manifest_of(manifest, out, hf, model_name or "ensemble")
    scale = ScaleRequest(executor, address, workers, gpus_per_worker, shard_rows)
    if scale.on_ray:
        from asr_registry.cli.scale_run import transcribe_on_ray

        transcribe_on_ray(spec, scale, manifest, out, resume=resume, in_place=in_place, pred_key=pred_key,
                          no_progress=no_progress, verbose=verbose, as_json=as_json)  # fmt: skip
        return
    name, entries = spec.describe()
    target = _preflight(manifest, out, in_place=in_place, resume=resume, name=name, entries=entries,
                        word_confidence=word_confidence, prompt=spec.prompt)  # fmt: skip
    engine: Any = spec.build()
    bar: Any = None

    def on_start(total: int, done: int) -> None:
        # Called once the model is loaded: errors before this point stay one line.
        nonlocal bar
        from tqdm import tqdm

        for note in engine.settings.notes:
            logging.getLogger("asr_registry.engine").info(note)

        bar = tqdm(total=total, initial=done, unit="file", file=sys.stderr, disable=no_progress, dynamic_ncols=True)

    def progress(files: int, seconds: float) -> None:
        if bar is not None:
            bar.update(files)

    from asr_registry.engine.manifest_run import run_manifest

    try:
        summary = run_manifest(engine, manifest, target, resume=resume, pred_key=pred_key, progress=progress,
                               on_start=on_start, in_place=in_place)  # fmt: skip
    finally:
        if bar is not None:
            bar.close()

    if as_json:
        from dataclasses import asdict

        payload = asdict(summary)
        payload["audio_hours"] = summary.audio_seconds / 3600
        echo_json(payload)
        return
    _print_summary(summary)


def _preflight(manifest: str, out: str | None, *, in_place: bool, resume: bool, name: str, entries: list[Any],
               word_confidence: bool, prompt: Any = None) -> Path:  # fmt: skip
    """Every check that needs no model, before torch or NeMo is imported: the manifest, the output, the checksums.

    A run that cannot finish (empty manifest, unwritable or full output folder, output =
    input, wrong checksum) is refused in a second instead of after the model has loaded.
    """
    from asr_registry.engine.files import same_file
    from asr_registry.engine.loading import verify_before_load
    from asr_registry.engine.manifest import default_output_path, read_manifest
    from asr_registry.engine.output import prediction_bytes, prepare_output
    from asr_registry.errors import RegistryError

    items = read_manifest(manifest)
    if not items:
        raise RegistryError(f"{manifest}: the manifest has no rows; nothing to transcribe")
    if in_place and out is not None and not same_file(out, manifest):
        raise RegistryError(f"--in-place writes over {manifest}, but --out names {out}: give one or the other")
    target = Path(manifest) if in_place else Path(out) if out else default_output_path(manifest, name)
    prepare_output(Path(manifest), target, rows=len(items), resume=resume, in_place=in_place,
                   extra_row_bytes=prediction_bytes(len(entries), word_confidence))  # fmt: skip
    if prompt is not None:
        from asr_registry.engine.prompts import check_options, first_unprompted_row

        for entry in entries:
            check_options(entry, prompt)
            row = first_unprompted_row(entry, prompt, [item.fields for item in items])
            if row is not None:
                raise RegistryError(
                    f"{manifest}:{items[row].line}: model {entry.name} needs the spoken language "
                    f"({', '.join(entry.languages)}): pass --language or give every row a source_lang"
                )
    verify_before_load(entries)
    return target


def _print_summary(summary: Any) -> None:
    from asr_registry.engine.manifest_run import summarize_skips

    if summary.combiner:  # an ensemble: each member has its own decoder
        rows = [
            ("model", summary.model),
            ("device", f"{summary.device}, {summary.precision}, batch {summary.batch_size}"),
            ("members", ", ".join(summary.members)),
            ("combiner", summary.combiner),
        ]
    else:
        rows = [
            ("model", summary.model),
            ("device", f"{summary.device}, {summary.precision}, decoder {summary.decoder}, batch {summary.batch_size}"),
        ]
    rows += [
        ("files", str(summary.files)),
        ("transcribed", str(summary.transcribed)),
    ]
    if summary.resumed:
        rows.append(("resumed", f"{summary.resumed} (from the interrupted run)"))
    rows.append(("skipped", str(len(summary.skipped))))
    for reason, count in summarize_skips(summary.skipped).items():
        rows.append(("", f"{count} x {reason}"))
    if summary.chunked_files:
        rows.append(("chunked", f"{summary.chunked_files} long files split into chunks"))
    if summary.oom_splits:
        rows.append(("oom splits", str(summary.oom_splits)))
    rows += [
        ("audio", _hours(summary.audio_seconds)),
        ("wall time", f"{summary.wall_seconds:.1f} s (+ {summary.load_seconds:.1f} s model load)"),
        ("RTFx", f"{summary.rtfx:.1f}"),
        ("output", summary.output),
    ]
    echo_table(rows, headers=("", ""))
    for item in summary.skipped:
        click.echo(f"skipped {item.audio_filepath}: {item.reason}", err=True)
