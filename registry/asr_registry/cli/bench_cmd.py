"""`asr-registry bench`: measure models on local data and check every claim; `bench compare OLD NEW`.

Exit code 0 when every checkable claim passes, 1 when one fails, 2 for usage or input errors.
The work is `asr_registry.bench.plan` (checks, data) and `asr_registry.bench.run`.
"""

from __future__ import annotations

import sys
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from asr_registry.cli import params
from asr_registry.cli.groups import CommandWithSubcommands, removed_option
from asr_registry.cli.hf_options import hf_options
from asr_registry.cli.option_groups import option_group
from asr_registry.cli.output import echo_json, echo_table, json_option
from asr_registry.cli.plan_view import gpu_report_option
from asr_registry.cli.scale_options import scale_options
from asr_registry.errors import RegistryError
from asr_registry.sizing.long_audio import LONG_AUDIO_MODES

if TYPE_CHECKING:
    from asr_registry.bench.plan import BenchPlan
    from asr_registry.bench.run import BenchOutcome, RayBench, StepBar
    from asr_registry.bench.runner import BenchOptions
    from asr_registry.bench.streaming import StreamingRequest
    from asr_registry.catalog.schema import Catalog, Dataset
    from asr_registry.datasets.inputs import HfInput
    from asr_registry.scale.request import ScaleRequest


def _options(
    decoders: tuple[str, ...],
    sweep: str | None,
    memory_budget: float | None,
    amp: str | None = None,
    gpu_reports: tuple[str, ...] = (),
    **values: Any,
) -> BenchOptions:
    from asr_registry.bench.plan import parse_sizes
    from asr_registry.bench.runner import BenchOptions
    from asr_registry.cli.plan_view import load_reports

    if amp is not None:
        if values.get("precision") not in (None, "fp32"):
            raise RegistryError(f"--amp {amp} and --precision {values['precision']}: give one of them")
        values["precision"] = f"amp-{amp}"
    return BenchOptions(
        decoders=tuple(decoders),
        sweep=parse_sizes(sweep),
        memory_budget_gb=memory_budget,
        gpu_reports=load_reports(gpu_reports),
        **values,
    )


# How each model is run and measured (one `options: BenchOptions` for the command).
measure_options = option_group(
    "options",
    _options,
    click.option(
        "--decoder", "decoders", multiple=True, help="Decoder(s) to bench; default: every decoder the model has."
    ),
    click.option("--batch-size", type=click.IntRange(min=1), help="Default: the catalog's figure for this hardware."),
    click.option(
        "--rounds", type=click.IntRange(min=1), default=3, show_default=True, help="Timed rounds (median reported)."
    ),
    click.option("--device", help="cpu, cuda or cuda:N (default: cuda when present)."),
    click.option(
        "--long-audio",
        type=click.Choice(LONG_AUDIO_MODES),
        help="Files too long for full attention in the memory at hand: as `transcribe --long-audio`. Default: auto.",
    ),
    click.option(
        "--precision",
        type=click.Choice(["fp32", "fp16", "bf16"]),
        help="bf16/fp16 cast the weights (as the leaderboard measures). Default: each claim's own precision, "
        "else the engine's choice.",
    ),
    click.option("--amp", type=click.Choice(["bf16", "fp16"]), help="Instead of --precision: autocast over fp32."),
    click.option(
        "--cuda-graphs",
        type=click.Choice(["auto", "on", "off"]),
        default="auto",
        show_default=True,
        help="NeMo's CUDA-graph greedy decoders (auto: where supported, a failing batch retried without them).",
    ),
    gpu_report_option,
    click.option(
        "--resamples", type=click.IntRange(min=100), default=1000, show_default=True, help="Bootstrap resamples."
    ),
    click.option(
        "--threads",
        type=click.IntRange(min=1),
        help="Torch CPU threads. Default: the engine's (a CPU speed claim is checked at its own count).",
    ),
    click.option("--sweep", help="Comma-separated batch sizes: throughput and memory for each."),
    click.option("--memory-budget", type=params.GPU_MEMORY_GB, help="GPU GB: find the largest batch within it."),
)


@dataclass(frozen=True)
class Rescoring:
    """`--predictions` (score saved predictions, no model run), `--list-normalizers` or `--list-suites`."""

    predictions: Path | None = None
    normalizer: str | None = None
    list_normalizers: bool = False
    list_suites: bool = False
    log_samples: Path | None = None
    ref_key: str = "text"
    pred_key: str = "pred_text"

    @property
    def requested(self) -> bool:
        return self.predictions is not None or self.list_normalizers or self.list_suites


rescore_options = option_group(
    "rescoring",
    Rescoring,
    click.option(
        "--predictions",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Score this manifest of saved predictions (no model is run); MODEL names whose claims to check.",
    ),
    click.option(
        "--normalizer",
        help="Score with this scoring version or normaliser, e.g. oal-2026-06 (see --list-normalizers); "
        "default: each dataset's own, the current leaderboard version for its sets.",
    ),
    click.option(
        "--list-normalizers", is_flag=True, help="List the scoring versions and normalisers with their sources."
    ),
    click.option(
        "--list-suites",
        is_flag=True,
        help="List the Open ASR Leaderboard suites (--oal SUITE): each set's hub id, config, split, revision.",
    ),
    click.option(
        "--log-samples",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Write one JSONL row per scored utterance (texts, normalised texts, S/D/I, WER).",
    ),
    click.option("--ref-key", default="text", show_default=True, help="With --predictions: the reference field."),
    click.option(
        "--pred-key", default="pred_text", show_default=True, help="With --predictions: the prediction field."
    ),
)


def _streaming(streaming: bool, chunk_sizes_ms: tuple[int, ...]) -> StreamingRequest | None:
    from asr_registry.bench.streaming import StreamingRequest
    from asr_registry.errors import RegistryError

    if chunk_sizes_ms and not streaming:
        raise RegistryError("--chunk-size is the streaming chunk: give --streaming too")
    return StreamingRequest(tuple(chunk_sizes_ms)) if streaming else None


# `--streaming`: a cache-aware streaming model per chunk size beside its offline run (one `streaming` value).
streaming_options = option_group(
    "streaming",
    _streaming,
    click.option(
        "--streaming",
        is_flag=True,
        help="Stream cache-aware streaming models chunk by chunk: WER, compute latency per chunk (median, p95) "
        "and real-time factor per chunk size, beside the offline run.",
    ),
    click.option(
        "--chunk-size",
        "chunk_sizes_ms",
        multiple=True,
        type=click.IntRange(min=1),
        metavar="MS",
        help="With --streaming: only these chunk sizes (repeatable). Default: every one the model supports.",
    ),
)


@click.group("bench", cls=CommandWithSubcommands)
@click.argument("models", nargs=-1)
@click.option(
    "--manifest", type=click.Path(dir_okay=False, path_type=Path), help="Bench on this NeMo manifest (needs 'text')."
)
@click.option(
    "--dataset", "dataset_name", help="Name (and :split) of the --manifest data, so claims on it are checked."
)
@click.option(
    "--language",
    default="en",
    show_default=True,
    help="Language of the --manifest data: picks the normaliser, and is the spoken language prompted models "
    "(Canary's source_lang) are told; registered datasets give their own.",
)
@hf_options(with_oal=True)
@measure_options
@click.option(
    "--benchmark-json", type=click.Path(dir_okay=False, path_type=Path), help="Write a pytest-benchmark report."
)
@click.option("--plot", type=click.Path(dir_okay=False, path_type=Path), help="Write WER against RTFx (PNG).")
@click.option("--ensemble", help="Comma-separated members: bench the ensemble against each member.")
@click.option(
    "--combiner", default="rover", show_default=True, help="Combiner spec, e.g. rover:method=maxconf,alpha=0.7."
)
@click.option(
    "--tune", is_flag=True, help="With --ensemble: grid-search ROVER's alpha and null_conf on the dev split first."
)
@streaming_options
@removed_option("--compare", "asr-registry bench compare OLD NEW", nargs=2)
@removed_option("--shadow", "asr-registry shadow bench NAME")
@rescore_options
@scale_options
@json_option
def command(
    models: tuple[str, ...],
    manifest: Path | None,
    dataset_name: str | None,
    language: str,
    hf: HfInput,
    options: BenchOptions,
    benchmark_json: Path | None,
    plot: Path | None,
    ensemble: str | None,
    combiner: str,
    tune: bool,
    rescoring: Rescoring,
    streaming: StreamingRequest | None,
    scale: ScaleRequest,
    as_json: bool,
) -> None:
    """Measure WER (with 95% CI), RTFx and peak memory; give each claim PASS, FAIL or UNVERIFIABLE.

    With no MODEL, benches the bundled models on their own test sets.
    """
    if rescoring.requested:
        return _rescore(rescoring, models, dataset_name, language, options.resamples, as_json)
    from asr_registry.bench.plan import BenchRequest, plan_bench
    from asr_registry.bench.report import save_outputs
    from asr_registry.bench.rescore import resolve, run_samples
    from asr_registry.cli.bench_view import show_outcome
    from asr_registry.cli.hf_options import language_given, report_dropped, scratch_folder
    from asr_registry.cli.notes import route_notes
    from asr_registry.plugins.manager import get_catalog, get_datasets

    catalog, datasets = get_catalog(), get_datasets()
    if rescoring.normalizer:
        options = replace(options, scoring=resolve(rescoring.normalizer).name)
    route_notes(False, "asr_registry.bench", "asr_registry.engine")
    given = (models, manifest, dataset_name, language, language_given(), options, ensemble, combiner, tune)
    request = BenchRequest(*given, benchmark_json, plot, hf)
    plan = plan_bench(request, catalog, datasets, scratch_folder, _note)
    report_dropped(plan.dropped)
    if streaming is not None:
        sys.exit(_bench_streaming(plan, catalog, datasets, streaming, as_json))
    outcome = _run(plan, catalog, datasets, scale)
    show_outcome(outcome, as_json)
    # Files are written after the results are shown: a file that cannot be written then
    # (disk filled up meanwhile) loses nothing, and is saved elsewhere (see save_outputs).
    samples = run_samples(outcome.scored) if rescoring.log_samples else []
    problems = save_outputs(outcome.report, benchmark_json, plot, rescoring.log_samples, samples)
    for problem in problems:
        click.echo(f"error: {problem}", err=True)
    sys.exit(2 if problems else 1 if outcome.failed else 0)


def _rescore(
    rescoring: Rescoring, models: tuple[str, ...], dataset: str | None, language: str, resamples: int, as_json: bool
) -> None:
    from asr_registry.bench.rescore import run_command
    from asr_registry.plugins.manager import get_catalog

    lines, summary, failed = run_command(get_catalog(), models, dataset, language, resamples, **asdict(rescoring))
    if as_json:
        echo_json(summary)
    else:
        click.echo("\n".join(lines))
    sys.exit(1 if failed else 0)


def _run(plan: BenchPlan, catalog: Catalog, datasets: dict[str, Dataset], scale: ScaleRequest) -> BenchOutcome:
    from asr_registry.bench.run import run_bench
    from asr_registry.plugins.manager import combiner_factories

    on_ray = _on_ray(scale)
    return run_bench(plan, catalog, datasets, bar=_bar, note=_note, on_ray=on_ray, combiners=combiner_factories())


def _bench_streaming(
    plan: BenchPlan, catalog: Catalog, datasets: dict[str, Dataset], request: StreamingRequest, as_json: bool
) -> int:
    """The streaming bench, shown; its exit code (1 when a claim failed)."""
    from asr_registry.bench.streaming import run_streaming_bench
    from asr_registry.cli.bench_view import show_streaming

    benches = run_streaming_bench(plan, catalog, datasets, request, lambda text: _note(f"benching {text}"))
    show_streaming(benches, as_json)
    return 1 if any(b.failed for b in benches) else 0


def _note(text: str) -> None:
    click.echo(f"note: {text}", err=True)


def _bar(steps: int) -> StepBar:
    from tqdm import tqdm

    return tqdm(total=steps, desc="bench", unit="run", file=sys.stderr, disable=None)


def _on_ray(scale: ScaleRequest) -> RayBench | None:
    if not scale.on_ray:
        return None
    from asr_registry.scale.bench import bench_models_ray

    return lambda models, catalog, datasets, data, options: bench_models_ray(
        models, catalog, datasets, data, options, scale
    )


@command.command("compare")
@click.argument("old", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@json_option
def compare(old: Path, new: Path, as_json: bool) -> None:
    """Compare two --benchmark-json reports, OLD and NEW. Exit 1 on a regression."""
    from asr_registry.bench.compare import compare_files

    changes = compare_files(old, new)
    if as_json:
        echo_json(changes)
    else:
        echo_table(
            [(c.name, c.metric, c.old, c.new, c.status, c.reason) for c in changes],
            ["benchmark", "metric", "old", "new", "status", "reason"],
        )
    sys.exit(1 if any(c.status == "regression" for c in changes) else 0)
