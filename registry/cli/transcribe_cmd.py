"""`asr-registry transcribe MANIFEST --model NAME`: run a catalog model over a NeMo manifest.

Only argument parsing and presentation live here; the work is `asr_registry.engine`,
imported inside the command so that other commands never pay for numpy/torch/NeMo.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import click

from asr_registry.cli.output import echo_json, echo_table, json_option
from asr_registry.schema import DECODERS, PRECISIONS


class _NoteHandler(logging.Handler):
    """Engine notes (precision fallback, OOM splits, resume) as `note: ...` on stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        prefix = "warning" if record.levelno >= logging.WARNING else "note"
        from tqdm import tqdm

        # tqdm.write keeps an active progress bar intact.
        tqdm.write(f"{prefix}: {record.getMessage()}", file=sys.stderr)


def _setup_logging(verbose: bool) -> None:
    logger = logging.getLogger("asr_registry.engine")
    if not any(isinstance(h, _NoteHandler) for h in logger.handlers):
        logger.addHandler(_NoteHandler())
    logger.setLevel(logging.DEBUG if verbose else logging.INFO)
    logger.propagate = False


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:.3f} h ({seconds:.1f} s)"


@click.command("transcribe")
@click.argument("manifest", type=click.Path(dir_okay=False))
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
@click.option("--device", help="cpu, cuda or cuda:N. Default: cuda when available.")
@click.option("--resume", is_flag=True, help="Continue an interrupted run from OUT.partial.")
@click.option("--pred-key", default="pred_text", show_default=True, help="Output field for the transcript.")
@click.option("--word-confidence", is_flag=True, help="Add pred_words and pred_word_confidence (NeMo word confidence).")
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False),
    help="Checkpoint cache (default: $ASR_REGISTRY_CACHE, else NeMo/HF defaults).",
)
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True, help="Audio decoding threads.")
@click.option("--no-progress", is_flag=True, help="No progress bar.")
@click.option("-v", "--verbose", is_flag=True, help="More notes on stderr.")
@json_option
def command(
    manifest: str,
    model_name: str | None,
    ensemble: str | None,
    combiner: str,
    out: str | None,
    batch_size: int | None,
    max_batch_seconds: float | None,
    max_audio_seconds: float | None,
    chunk_overlap: float | None,
    precision: str | None,
    decoder: str | None,
    device: str | None,
    resume: bool,
    pred_key: str,
    word_confidence: bool,
    cache_dir: str | None,
    workers: int,
    no_progress: bool,
    verbose: bool,
    as_json: bool,
) -> None:
    """Transcribe every file of a NeMo JSONL MANIFEST with a catalog model.

    Output rows are the input rows plus the transcript under --pred-key, in input
    order. Unreadable, missing or empty audio is not fatal: its row gets
    `PRED_KEY: null` and a `skipped` reason. Files of any sample rate and channel
    count are downmixed to mono and resampled to the model's rate.

    Rows are journaled to OUT.partial after every batch and OUT appears (atomically)
    only when all rows are done; after a crash, run again with --resume.
    """
    from asr_registry.engine.loading import require_published
    from asr_registry.engine.runner import Engine
    from asr_registry.errors import RegistryError
    from asr_registry.plugins import get_catalog

    if (model_name is None) == (ensemble is None):
        raise RegistryError("give exactly one of --model NAME or --ensemble A,B,C")
    _setup_logging(verbose)
    catalog = get_catalog()

    def engine_for(name: str, member_decoder: str | None, confidence: bool) -> Engine:
        entry = catalog.find(name)
        require_published(entry)
        tier = catalog.tiers.get(entry.size)
        return Engine(
            entry, device=device, precision=precision, decoder=member_decoder, batch_size=batch_size,
            max_batch_seconds=max_batch_seconds, max_audio_seconds=max_audio_seconds,
            chunk_overlap_seconds=chunk_overlap, word_confidence=confidence, cache_dir=cache_dir,
            tier=tier.resources if tier is not None else None, decode_workers=workers,
        )  # fmt: skip

    engine: Any
    if ensemble is not None:
        from asr_registry.ensemble.members import Ensemble, build_combiner, check_member, parse_members

        if decoder:
            raise RegistryError("--decoder applies to --model; give ensemble members as MODEL:DECODER")
        members = parse_members(ensemble)
        built, spec = build_combiner(combiner)
        for member in members:
            check_member(member, catalog.find(member.model).decoders)
        # Members always report word confidences: confidence-weighted combiners need them.
        engines = [engine_for(m.model, m.decoder, True) for m in members]
        engine = Ensemble(members, engines, built, spec, word_confidence)
    else:
        assert model_name is not None
        engine = engine_for(model_name, decoder, word_confidence)
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

    from asr_registry.engine.runner import run_manifest

    try:
        summary = run_manifest(engine, manifest, out, resume=resume, pred_key=pred_key, progress=progress,
                               on_start=on_start)  # fmt: skip
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


def _print_summary(summary: Any) -> None:
    from asr_registry.engine.runner import summarize_skips

    rows = [
        ("model", summary.model),
        ("device", f"{summary.device}, {summary.precision}, decoder {summary.decoder}, batch {summary.batch_size}"),
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
