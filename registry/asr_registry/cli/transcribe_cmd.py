"""`asr-registry transcribe MANIFEST --model NAME`: run a catalog model over a NeMo manifest.

Only argument parsing and presentation live here; the work is `asr_registry.scale.transcription`
(checks, then the engine here or on Ray), imported inside the command so that other commands
never pay for numpy/torch/NeMo.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from asr_registry.catalog.schema import DECODERS, PRECISIONS
from asr_registry.cli.hf_options import hf_options
from asr_registry.cli.option_groups import option_group
from asr_registry.cli.output import json_option
from asr_registry.cli.prompt_options import prompt_options
from asr_registry.cli.scale_options import scale_options

if TYPE_CHECKING:
    from asr_registry.datasets.inputs import HfInput
    from asr_registry.scale.request import ScaleRequest
    from asr_registry.scale.spec import TranscriberSpec


def _spec(**values: Any) -> TranscriberSpec:
    from asr_registry.scale.spec import TranscriberSpec

    return TranscriberSpec(**values)


# What runs: the model or ensemble and how the engine runs it (one `spec` for the command).
transcriber_options = option_group(
    "spec",
    _spec,
    click.option("--model", help="Catalog model name (see `asr-registry list`)."),
    click.option("--ensemble", help="Instead of --model: members A,B,C (MODEL or MODEL:DECODER), each loaded once."),
    click.option(
        "--combiner",
        default="rover",
        show_default=True,
        help="With --ensemble: rover[:method=freq|avgconf|maxconf,alpha=A,null_conf=C], majority, "
        "best-confidence, or a plugin's.",
    ),
    click.option(
        "--decoder",
        type=click.Choice(DECODERS),
        help="Decoder of a hybrid model (rnnt or ctc). Default: the catalog's first.",
    ),
    click.option(
        "--word-confidence", is_flag=True, help="Add pred_words and pred_word_confidence (NeMo word confidence)."
    ),
    click.option(
        "--batch-size",
        type=int,
        help="Files per batch. Default: catalog figure for the GPU's memory, else 32 on GPU, 16 on CPU.",
    ),
    click.option(
        "--max-batch-seconds",
        type=float,
        help="Bound on padded audio per batch (files x longest). Default: 30 s x batch size.",
    ),
    click.option(
        "--max-audio-seconds",
        type=float,
        help="Longer files are split into overlapping chunks of at most this length and the chunk "
        "transcripts joined at word timestamps. Default: 300.",
    ),
    click.option(
        "--chunk-overlap", "chunk_overlap_seconds", type=float, help="Seconds of overlap between chunks. Default: 4."
    ),
    click.option(
        "--precision", type=click.Choice(PRECISIONS), help="Default: the catalog's recommendation (fp32 on CPU)."
    ),
    click.option("--device", help="cpu, cuda or cuda:N. Default: cuda when available."),
    click.option(
        "--cache-dir",
        type=click.Path(file_okay=False),
        help="Checkpoint cache (default: $ASR_REGISTRY_CACHE, else NeMo/HF defaults).",
    ),
    click.option(
        "--decode-threads",
        type=click.IntRange(1, 64),
        default=2,
        show_default=True,
        help="Audio decoding threads (per worker).",
    ),
    click.option(
        "--threads",
        type=click.IntRange(1, 1024),
        help="Torch CPU threads (per worker). Default: usable cores minus one, left to decoding.",
    ),
    click.option(
        "--streaming",
        is_flag=True,
        help="Run a cache-aware streaming model chunk by chunk, as live audio would arrive "
        "(NeMo's cache-aware streaming; files batched together).",
    ),
    click.option(
        "--chunk-size",
        "chunk_size_ms",
        type=click.IntRange(min=1),
        metavar="MS",
        help="With --streaming: chunk in milliseconds, one of the catalog entry's chunk_sizes_ms. "
        "Default: the model's first.",
    ),
    consumes=("prompt",),  # built by @prompt_options, above it
)


@click.command("transcribe")
@click.argument("manifest", type=click.Path(dir_okay=False), required=False)
@prompt_options()
@transcriber_options
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
@click.option("--resume", is_flag=True, help="Continue an interrupted run from OUT.partial.")
@click.option("--pred-key", default="pred_text", show_default=True, help="Output field for the transcript.")
@scale_options
@click.option("--no-progress", is_flag=True, help="No progress bar.")
@click.option("-v", "--verbose", is_flag=True, help="More notes on stderr.")
@hf_options()
@json_option
def command(
    manifest: str | None,
    spec: TranscriberSpec,
    out: str | None,
    in_place: bool,
    resume: bool,
    pred_key: str,
    scale: ScaleRequest,
    no_progress: bool,
    verbose: bool,
    hf: HfInput,
    as_json: bool,
) -> None:
    """Transcribe every file of a NeMo JSONL MANIFEST (or of --hf-dataset) with a catalog model.

    Output rows are the input rows plus the transcript under --pred-key, in input
    order. Unreadable, missing or empty audio is not fatal: its row gets
    `PRED_KEY: null` and a `skipped` reason. Files of any sample rate and channel
    count are downmixed to mono and resampled to the model's rate.

    Rows are journaled to OUT.partial after every batch and OUT appears (atomically)
    only when all rows are done; after a crash, run again with --resume.
    """
    from asr_registry.cli.hf_options import remove_when_done, report_dropped
    from asr_registry.cli.notes import route_notes
    from asr_registry.cli.transcribe_view import FileProgress, RayProgress, echo_summary_json, print_summary
    from asr_registry.datasets.inputs import transcribe_input
    from asr_registry.scale.sigterm import DriverTerminated
    from asr_registry.scale.transcription import TranscriptionJob, run_transcription

    route_notes(verbose, "asr_registry.engine")
    given = transcribe_input(manifest, out, hf, spec.model or "ensemble")
    remove_when_done(given.scratch)
    report_dropped(given.dropped)
    job = TranscriptionJob(spec, given.manifest, given.out, in_place, resume, pred_key, scale, verbose)
    bar = RayProgress(no_progress) if scale.on_ray else FileProgress(no_progress)
    try:
        summary = run_transcription(job, progress=bar.update, on_start=bar.on_start)
    except DriverTerminated as exc:  # SIGTERM on Ray: one line, exit 143, the journal kept
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    finally:
        bar.close()
    if as_json:
        echo_summary_json(summary)
    else:
        print_summary(summary)
