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
from asr_registry.cli import params
from asr_registry.cli.hf_options import hf_options
from asr_registry.cli.option_groups import option_group
from asr_registry.cli.output import json_option
from asr_registry.cli.plan_view import dry_run_options
from asr_registry.cli.prompt_options import prompt_options
from asr_registry.cli.scale_options import scale_options
from asr_registry.errors import RegistryError
from asr_registry.sizing.long_audio import LONG_AUDIO_MODES

# Kept here rather than imported from the engine: the CLI's startup never imports engine modules.
CUDA_GRAPH_MODES = ("auto", "on", "off")

if TYPE_CHECKING:
    from asr_registry.cli.plan_view import DryRun
    from asr_registry.datasets.inputs import HfInput
    from asr_registry.scale.request import ScaleRequest
    from asr_registry.scale.spec import TranscriberSpec


def _spec(amp: str | None = None, **values: Any) -> TranscriberSpec:
    from asr_registry.engine.settings import amp_mode
    from asr_registry.scale.spec import TranscriberSpec

    if amp is not None:
        if values.get("precision") not in (None, "fp32"):
            raise RegistryError(f"--amp {amp} and --precision {values['precision']}: give one of them")
        values["precision"] = amp_mode(amp)
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
        "--timestamps",
        type=click.Choice(("word", "segment", "char")),
        help="Add times in seconds from the file start, NeMo's fields: pred_words [{word, start, end}], "
        "pred_segments or pred_chars (CTC, RNNT/TDT, hybrid; AED models trained with timestamps).",
    ),
    click.option(
        "--batch-size",
        type=int,
        help="Files per batch. Default: catalog figure for the GPU's memory, else 32 on GPU, 16 on CPU.",
    ),
    click.option(
        "--max-batch-seconds",
        type=params.AUDIO_SECONDS,
        help="Bound on padded audio per batch (files x longest). Default: 30 s x batch size.",
    ),
    click.option(
        "--max-audio-seconds",
        type=params.AUDIO_SECONDS,
        help="Cut files longer than this into overlapping chunks and join the chunk transcripts at word "
        "timestamps. Default: as long as the memory at hand allows (see --long-audio).",
    ),
    click.option(
        "--long-audio",
        type=click.Choice(LONG_AUDIO_MODES),
        help="Files too long for full attention in the memory at hand (GPU memory, or available RAM on CPU): "
        "auto switches Conformer/FastConformer models to local attention (one pass, memory linear in length) "
        "and chunks the others; local-attention runs every file so; chunk cuts and stitches. Default: auto.",
    ),
    click.option(
        "--chunk-overlap",
        "chunk_overlap_seconds",
        type=params.OVERLAP_SECONDS,
        help="Seconds of overlap between chunks. Default: 4.",
    ),
    click.option(
        "--precision",
        type=click.Choice(PRECISIONS),
        help="bf16/fp16 cast the model's weights (all but the fp32 audio preprocessor), as the Open ASR "
        "Leaderboard measures. Default: the catalog's recommendation on GPU; fp32 on CPUs without native bf16.",
    ),
    click.option(
        "--amp",
        type=click.Choice(["bf16", "fp16"]),
        help="Instead of --precision: torch.autocast in this type over fp32 weights.",
    ),
    click.option(
        "--cuda-graphs",
        type=click.Choice(CUDA_GRAPH_MODES),
        default="auto",
        show_default=True,
        help="NeMo's CUDA-graph greedy decoders: auto = where supported, a failing batch retried without them.",
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
        help="Torch CPU threads (per worker). Default: every usable core; one fewer when the audio is compressed or resampled.",
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
@click.option(
    "--format",
    "output_format",
    type=click.Choice(("jsonl", "srt", "vtt", "txt")),
    default="jsonl",
    show_default=True,
    help="srt, vtt, txt: one file per audio in the folder --out names (default MANIFEST_STEM.MODEL.FORMAT/), "
    "beside the JSONL; srt and vtt turn on --timestamps word.",
)
@click.option("--resume", is_flag=True, help="Continue an interrupted run from OUT.partial.")
@click.option("--pred-key", default="pred_text", show_default=True, help="Output field for the transcript.")
@click.option(
    "--overwrite-field",
    is_flag=True,
    help="Allow --pred-key to name a field the input rows already have (its input value is replaced).",
)
@scale_options
@click.option("--no-progress", is_flag=True, help="No progress bar.")
@click.option("-v", "--verbose", is_flag=True, help="More notes on stderr.")
@hf_options()
@dry_run_options
@json_option
def command(
    manifest: str | None,
    spec: TranscriberSpec,
    dry: DryRun,
    out: str | None,
    in_place: bool,
    output_format: str,
    resume: bool,
    pred_key: str,
    overwrite_field: bool,
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

    if dry.dry_run:
        return dry.show(spec, as_json)
    route_notes(verbose, "asr_registry.engine")
    given = transcribe_input(manifest, out, hf, spec.model or "ensemble")
    remove_when_done(given.scratch)
    report_dropped(given.dropped)
    job = TranscriptionJob(
        spec, given.manifest, given.out, in_place, resume, pred_key, scale, verbose, overwrite_field, output_format
    )
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
