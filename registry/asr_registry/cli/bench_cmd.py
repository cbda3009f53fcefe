"""`asr-registry bench`: measure models on local data and check every claim.

Exit code 0 when every checkable claim passes, 1 when one fails, 2 for usage or input errors.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from asr_registry.cli.hf_options import hf_options
from asr_registry.cli.output import echo_json, echo_table, json_option, to_jsonable
from asr_registry.cli.scale_options import ScaleRequest, scale_options
from asr_registry.errors import RegistryError

if TYPE_CHECKING:
    from asr_registry.bench.ensemble import Tuning
    from asr_registry.bench.results import BenchReport, MachineInfo
    from asr_registry.bench.runner import BenchOptions, Scored
    from asr_registry.catalog.schema import Catalog, Dataset


def _sizes(value: str | None) -> tuple[int, ...]:
    if not value:
        return ()
    try:
        sizes = tuple(int(v) for v in value.split(",") if v.strip())
    except ValueError:
        raise RegistryError(f"--sweep: '{value}' is not a comma-separated list of batch sizes") from None
    if any(s <= 0 for s in sizes):
        raise RegistryError("--sweep: batch sizes must be positive")
    return sizes


@click.command("bench")
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
@click.option("--decoder", "decoders", multiple=True, help="Decoder(s) to bench; default: every decoder the model has.")
@click.option("--batch-size", type=click.IntRange(min=1), help="Default: the catalog's figure for this hardware.")
@click.option(
    "--rounds", type=click.IntRange(min=1), default=3, show_default=True, help="Timed rounds (median reported)."
)
@click.option("--device", help="cpu, cuda or cuda:N (default: cuda when present).")
@click.option("--precision", type=click.Choice(["fp32", "fp16", "bf16"]))
@click.option("--resamples", type=click.IntRange(min=100), default=1000, show_default=True, help="Bootstrap resamples.")
@click.option("--threads", type=click.IntRange(min=1),
              help="Torch CPU threads. Default: usable cores minus one (a CPU speed claim is checked at its own count).")  # fmt: skip
@click.option("--sweep", help="Comma-separated batch sizes: throughput and memory for each.")
@click.option(
    "--memory-budget", type=click.FloatRange(min=0, min_open=True), help="GPU GB: find the largest batch within it."
)
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
@click.option("--compare", nargs=2, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Compare two --benchmark-json reports (OLD NEW) instead of benching.")  # fmt: skip
@click.option("--shadow", "shadow_name", metavar="NAME",
              help="Instead: RTFx of NAME's real architecture on its shadow (random weights, nothing downloaded).")  # fmt: skip
@click.option(
    "--predictions",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Instead: score this manifest of saved predictions (no model is run); MODEL names whose claims.",
)
@click.option("--normalizer", help="Scoring version or normaliser, e.g. oal-2026-06 (see --list-normalizers).")
@click.option("--list-normalizers", is_flag=True, help="List the scoring versions and normalisers with their sources.")
@click.option(
    "--log-samples", type=click.Path(dir_okay=False, path_type=Path), help="With --predictions: per-utterance JSONL."
)
@click.option("--ref-key", default="text", show_default=True, help="With --predictions: the reference field.")
@click.option("--pred-key", default="pred_text", show_default=True, help="With --predictions: the prediction field.")
@scale_options
@json_option
def command(models: tuple[str, ...], manifest: Path | None, dataset_name: str | None, language: str,
            decoders: tuple[str, ...], batch_size: int | None, rounds: int, device: str | None, precision: str | None,
            resamples: int, threads: int | None, sweep: str | None, memory_budget: float | None,
            benchmark_json: Path | None,
            plot: Path | None, ensemble: str | None, combiner: str, tune: bool, compare: tuple[Path, Path] | None,
            as_json: bool, shadow_name: str | None, executor: str, address: str | None, workers: int | None,
            gpus_per_worker: float | None, shard_rows: int | None, **hf: Any) -> None:  # fmt: skip
    """Measure WER (with 95% CI), RTFx and peak memory; give each claim PASS, FAIL or UNVERIFIABLE.

    With no MODEL, benches the bundled models on their own test sets.
    """
    if compare:
        _compare(*compare, as_json)
        return
    rescoring = {
        k: hf.pop(k) for k in ("predictions", "normalizer", "list_normalizers", "log_samples", "ref_key", "pred_key")
    }
    if rescoring["predictions"] or rescoring.pop("list_normalizers"):
        from asr_registry.bench.rescore import run_command
        from asr_registry.plugins.manager import get_catalog

        lines, summary, failed = run_command(get_catalog(), models, dataset_name, language, resamples, **rescoring)
        echo_json(summary) if as_json else click.echo("\n".join(lines))
        sys.exit(1 if failed else 0)
    if shadow_name:
        from asr_registry.shadow.bench_shadow import run as bench_shadow

        bench_shadow(shadow_name, device=device, precision=precision, batch_size=batch_size, rounds=rounds,
                     as_json=as_json)  # fmt: skip
        return
    from datetime import UTC, datetime

    from asr_registry.bench.runner import BenchOptions, build_report, pair_up, references
    from asr_registry.bench.targets import manifest_dataset
    from asr_registry.catalog.languages import normalize_language
    from asr_registry.cli.notes import route_notes
    from asr_registry.plugins.manager import get_catalog

    code = normalize_language(language)
    if code is None:
        raise RegistryError(f"--language: '{language}' is not an ISO 639-1 code or a known language name")
    if tune and not ensemble:
        raise RegistryError("--tune needs --ensemble")
    if ensemble and models:
        raise RegistryError("give ensemble members with --ensemble A,B,C, not as arguments")
    options = BenchOptions(rounds, batch_size, device, precision, tuple(decoders), resamples, _sizes(sweep),
                           memory_budget, threads, available=_installed_datasets())  # fmt: skip
    _check_outputs(benchmark_json, plot, manifest)
    catalog = get_catalog()
    route_notes(False, "asr_registry.bench", "asr_registry.engine")
    user_data = manifest_dataset(manifest, dataset_name, code) if manifest else None
    if user_data is not None:
        references(user_data)  # a missing, empty or text-less manifest is refused before torch is imported
    suite: list[Any] = []
    if any(hf.get(k) for k in ("hf_dataset", "oal", "oal_data", "hf_config", "hf_split", "text_column", "limit",
                               "lhotse")):  # fmt: skip
        user_data, suite = _hf_data(hf, bool(manifest or ensemble), dataset_name, code, models, catalog)
    started = datetime.now(UTC)
    tuning = None
    scale = ScaleRequest(executor, address, workers, gpus_per_worker, shard_rows)
    if scale.on_ray:
        from asr_registry.plugins.manager import get_datasets
        from asr_registry.scale.bench import bench_models_ray

        if ensemble or suite or sweep or memory_budget:
            raise RegistryError("--executor ray benches models on manifests or datasets; not --ensemble, --sweep, "
                                "--memory-budget or Hugging Face datasets")  # fmt: skip
        scored, machine, ray_lines = bench_models_ray(models, catalog, get_datasets(), user_data, options, scale)
    elif ensemble:
        scored, machine, tuning = _bench_ensemble(ensemble, combiner, tune, catalog, user_data, options)
    elif suite:
        scored, machine = _bench_suite(catalog.find(models[0]), catalog, suite, options)
    else:
        scored, machine = _bench_models(models, catalog, user_data, options)
    report = build_report(pair_up(scored, resamples), machine, started, rounds)
    failed = any(v.status == "FAIL" for run in report.runs for v in run.verdicts)
    if as_json:
        echo_json({**to_jsonable(report), "tuning": to_jsonable(tuning)})
    else:
        _print(report)
        if scale.on_ray:
            click.echo("\n" + "\n".join(ray_lines))
        if suite:
            _print_suite(catalog.find(models[0]), report, suite)
        if tuning is not None:
            click.echo(f"\nTuned on {tuning.dev_dataset} ({tuning.points} settings): {tuning.spec}, "
                       f"dev WER {tuning.dev_wer:.2f}%; the runs above are on held-out data")  # fmt: skip
    # Files are written after the results are shown: a file that cannot be written then
    # (disk filled up meanwhile) loses nothing, and is saved elsewhere (see save_outputs).
    from asr_registry.bench.report import save_outputs

    problems = save_outputs(report, benchmark_json, plot)
    for problem in problems:
        click.echo(f"error: {problem}", err=True)
    sys.exit(2 if problems else 1 if failed else 0)


# Generous first estimates of what the written files need (a report is ~5 kB per run).
_REPORT_BYTES = 1_000_000
_PLOT_BYTES = 2_000_000


def _installed_datasets() -> frozenset[str]:
    from asr_registry.plugins.manager import get_datasets

    datasets = get_datasets().values()
    return frozenset({d.key for d in datasets} | {d.name for d in datasets})


def _check_outputs(benchmark_json: Path | None, plot: Path | None, manifest: Path | None) -> None:
    """Refuse outputs that cannot be written before anything is benched (no torch or NeMo needed)."""
    from asr_registry.engine.files import check_distinct, check_output

    inputs = [manifest] if manifest is not None else []
    check_distinct([("--benchmark-json", benchmark_json), ("--plot", plot)])
    if benchmark_json is not None:
        check_output(benchmark_json, option="--benchmark-json", needed_bytes=_REPORT_BYTES, inputs=inputs)
    if plot is not None:
        check_output(plot, option="--plot", needed_bytes=_PLOT_BYTES, inputs=inputs)
        import importlib.util

        if importlib.util.find_spec("matplotlib") is None:
            raise RegistryError("--plot needs matplotlib: pip install 'asr-registry[bench]'")


def _bench_models(models: tuple[str, ...], catalog: Catalog, user_data: Dataset | None,
                  options: BenchOptions) -> tuple[list[Scored], MachineInfo]:  # fmt: skip
    from tqdm import tqdm

    from asr_registry.bench.runner import bench_model
    from asr_registry.bench.targets import plan
    from asr_registry.engine.loading import verify_before_load
    from asr_registry.plugins.manager import get_datasets

    pairs = plan(catalog, get_datasets(), models, user_data)
    verify_before_load([entry for entry, _ in pairs])  # a wrong checksum is refused before torch is imported
    scored: list[Scored] = []
    machine = None
    steps = sum(len(ds) * len(options.decoders or entry.decoders) for entry, ds in pairs)
    with tqdm(total=steps, desc="bench", unit="run", file=sys.stderr, disable=None) as bar:
        for entry, datasets in pairs:
            runs, _, machine = bench_model(entry, catalog, datasets, options, bar.set_postfix_str)
            scored.extend(runs)
            bar.update(len(runs))
    assert machine is not None
    return scored, machine


def _hf_data(hf: dict[str, Any], other_input: bool, dataset_name: str | None, language: str, models: tuple[str, ...],
             catalog: Catalog) -> tuple[Dataset | None, list[Any]]:  # fmt: skip
    """--hf-dataset as the user's data, or --oal's sets written out; rows not written out are reported."""
    from asr_registry.cli.hf_options import language_given, report_dropped, scratch_folder, spec_from

    spec = spec_from(hf)  # sampling options without a dataset are refused here
    if hf.get("lhotse"):
        from asr_registry.bench.targets import lhotse_dataset

        if other_input or spec is not None or hf.get("oal"):
            raise RegistryError("give one of --manifest, --hf-dataset, --lhotse, --oal")
        target, done = lhotse_dataset(hf["lhotse"], scratch_folder(), dataset_name, language if language_given() else None,
                                      hf.get("limit"), hf.get("seed") or 0)  # fmt: skip
        report_dropped(f"--lhotse {hf['lhotse']}", done)
        return target, []
    if spec is None and not hf.get("oal"):
        return None, []
    if other_input or (spec is not None and hf.get("oal")):
        raise RegistryError("give one of --manifest, --hf-dataset, --oal (and no --ensemble with the last two)")
    folder = scratch_folder()
    if spec is not None:
        from asr_registry.bench.targets import hf_dataset

        target, done = hf_dataset(spec, folder, dataset_name, language if language_given() else None)
        report_dropped(f"--hf-dataset {spec.id}", done)
        return target, []
    if len(models) != 1:
        raise RegistryError("--oal benches one model: name it")
    from asr_registry.bench.suite import prepare_suite

    suite = prepare_suite(catalog.find(models[0]), folder, hf.get("limit"), hf.get("seed") or 0,
                          note=lambda text: click.echo(f"note: {text}", err=True), local=hf.get("oal_data"))  # fmt: skip
    for item in suite:
        report_dropped(f"{item.board.hf_id} {item.board.config}/{item.board.hf_split}", item.materialised)
    return None, suite


def _bench_suite(entry: Any, catalog: Catalog, suite: list[Any],
                 options: BenchOptions) -> tuple[list[Scored], MachineInfo]:  # fmt: skip
    from asr_registry.bench.runner import bench_model
    from asr_registry.bench.suite import suite_verdicts
    from asr_registry.engine.loading import verify_before_load

    verify_before_load([entry])
    scored, hardware, machine = bench_model(entry, catalog, [s.dataset for s in suite], options,
                                            lambda text: click.echo(f"note: benching {text}", err=True))  # fmt: skip
    runs = suite_verdicts(entry, catalog, [s.run for s in scored], hardware, options.available)
    return [replace(s, run=run) for s, run in zip(scored, runs, strict=True)], machine


def _print_suite(entry: Any, report: BenchReport, suite: list[Any]) -> None:
    from asr_registry.bench.suite import TABLE_HEADERS, table

    boards = sorted({s.board.hf_id for s in suite})
    limit = suite[0].dataset.description.partition(" (")[2].rstrip(")")
    click.echo(f"\nOpen ASR Leaderboard view of {entry.name} ({', '.join(boards)}; {limit or 'every row'}; "
               "WER scored with the leaderboard's normaliser):")  # fmt: skip
    echo_table(table(entry, report.runs, suite), TABLE_HEADERS)


def _bench_ensemble(members: str, spec: str, tune: bool, catalog: Catalog, user_data: Dataset | None,
                    options: BenchOptions) -> tuple[list[Scored], MachineInfo, Tuning | None]:  # fmt: skip
    from asr_registry.bench.ensemble import bench_ensemble
    from asr_registry.bench.runner import hardware_of, machine_info
    from asr_registry.bench.targets import claimed_datasets
    from asr_registry.engine.loading import verify_before_load
    from asr_registry.ensemble.members import parse_members
    from asr_registry.plugins.manager import get_datasets

    parsed = parse_members(members)
    entries = [catalog.find(member.model) for member in parsed]
    names = [member.label for member in parsed]
    datasets = get_datasets()
    if user_data is not None:
        target = user_data
    else:
        shared = [
            d
            for d in claimed_datasets(entries[0], datasets)
            if all(d in claimed_datasets(e, datasets) for e in entries)
        ]
        if not shared:
            raise RegistryError(
                f"--ensemble: no local dataset all of {', '.join(names)} have claims on; pass --manifest"
            )
        target = shared[0]
    dev = None
    if tune:
        dev = datasets.get(f"{target.name}:dev")
        if dev is None:
            raise RegistryError(f"--tune: no '{target.name}:dev' dataset is registered to tune on")
    verify_before_load(entries)  # a wrong checksum is refused before torch is imported
    import torch

    from asr_registry.engine.threads import apply, choose_threads

    apply(choose_threads(options.threads, decode_workers=2)[0])  # as the members' engines will
    machine = machine_info(options.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    scored, tuning = bench_ensemble(parsed, spec, catalog, target, options, hardware_of(machine), dev)
    return scored, machine, tuning


def _print(report: BenchReport) -> None:
    machine = report.machine
    hardware = machine.gpu or f"{machine.processor}, {machine.torch_threads} torch thread(s)"
    click.echo(f"Bench on {machine.device} ({hardware}), torch {machine.torch}, NeMo {machine.nemo}, "
               f"{report.rounds} timed round(s) each\n")  # fmt: skip
    rows = []
    for run in report.runs:
        m = run.measurement
        memory = m.peak_gpu_memory_gb if m.peak_gpu_memory_gb is not None else m.peak_cpu_memory_gb
        rows.append((run.name, f"{m.dataset}:{m.split}" if m.split else m.dataset, m.decoder, m.batch_size, m.precision,
                     f"{m.wer:.2f} [{m.wer_ci[0]:.2f}, {m.wer_ci[1]:.2f}]", f"{m.rtfx:.1f}" if m.rtfx else "?",
                     f"{memory:.2f}" if memory is not None else "?", run.utterances, run.skipped))  # fmt: skip
    echo_table(
        rows, ["model", "data", "decoder", "batch", "precision", "WER % [95% CI]", "RTFx", "peak GB", "utts", "skipped"]
    )
    for run in report.runs:
        for point in run.sweep:
            click.echo(f"  sweep {run.label}: batch {point.batch_size}: RTFx {point.rtfx:.1f}, "
                       f"peak {point.peak_memory_gb or 0:.2f} GB")  # fmt: skip
        if run.largest_batch:
            click.echo(f"  largest batch within the memory budget for {run.label}: {run.largest_batch}")
    for run in report.runs:
        if run.contention is not None and run.contention.busy:
            click.echo(f"  busy while timing {run.label}: {run.contention.describe()}")
    verdicts = [v for run in report.runs for v in run.verdicts]
    if verdicts:
        click.echo("\nClaims:")
        echo_table(
            [(v.model, v.claim.metric, v.claim.describe_conditions() or "-", v.claimed, v.measured, v.tolerance,
              v.status, f"{v.reason} [{v.claim.source}{'' if v.origin == 'model' else ', ' + v.origin}]")
             for v in verdicts],
            ["model", "metric", "conditions", "claimed", "measured", "tolerance", "verdict", "reason [source]"],
        )  # fmt: skip
    else:
        click.echo("\nClaims: none of the benched runs has a claim to check")
    counts = {s: sum(v.status == s for v in verdicts) for s in ("PASS", "FAIL", "UNVERIFIABLE")}
    click.echo(f"\n{counts['PASS']} PASS, {counts['FAIL']} FAIL, {counts['UNVERIFIABLE']} UNVERIFIABLE")
    shown: set[frozenset[str]] = set()
    # Ensembles first, so each pair reads as "ensemble beats member" (the question asked).
    for run in sorted(report.runs, key=lambda r: not r.label.startswith("ensemble:")):
        for other, probability in run.beats.items():
            if frozenset((run.label, other)) not in shown:  # P(B beats A) is about 1 - P(A beats B)
                shown.add(frozenset((run.label, other)))
                click.echo(f"paired bootstrap: P({run.label} has lower WER than {other}) = {probability:.3f}")


def _compare(old: Path, new: Path, as_json: bool) -> None:
    from asr_registry.bench.compare import compare_files

    changes = compare_files(old, new)
    if as_json:
        echo_json(changes)
    else:
        echo_table([(c.name, c.metric, c.old, c.new, c.status, c.reason) for c in changes],
                   ["benchmark", "metric", "old", "new", "status", "reason"])  # fmt: skip
    sys.exit(1 if any(c.status == "regression" for c in changes) else 0)
