"""`asr-registry bench`'s request and plan: which models run on which data, checked before torch loads.

`plan_bench` refuses what cannot run (bad language, conflicting inputs, outputs that cannot be
written, a manifest without references) and writes out Hugging Face / Lhotse / leaderboard data;
`asr_registry.bench.run.run_bench` then runs the plan. The catalog and the installed datasets
are handed in: the bench sits below the plugin system.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from asr_registry.bench.runner import BenchOptions
from asr_registry.datasets.inputs import Dropped, HfInput
from asr_registry.errors import RegistryError

if TYPE_CHECKING:
    from asr_registry.bench.suite import SuiteData
    from asr_registry.catalog.schema import Catalog, Dataset, ModelEntry

# Generous first estimates of what the written files need (a report is ~5 kB per run).
REPORT_BYTES = 1_000_000
PLOT_BYTES = 2_000_000

Note = Callable[[str], None]


@dataclass(frozen=True)
class BenchRequest:
    models: tuple[str, ...] = ()  # none: the bundled models on their own test sets
    manifest: Path | None = None  # the user's data (needs 'text')
    dataset_name: str | None = None  # name (and :split) of that data, so claims on it are checked
    language: str = "en"  # of the --manifest data (ISO 639-1 or a language name)
    language_given: bool = False  # typed, not the default: Hugging Face / Lhotse data then carry it
    options: BenchOptions = field(default_factory=BenchOptions)
    ensemble: str | None = None  # members "A,B:ctc,C": the ensemble against each member
    combiner: str = "rover"
    tune: bool = False  # tune ROVER on the dev split first
    benchmark_json: Path | None = None
    plot: Path | None = None
    hf: HfInput = field(default_factory=HfInput)


@dataclass(frozen=True)
class BenchPlan:
    request: BenchRequest
    options: BenchOptions  # with the datasets installed here
    language: str  # ISO 639-1
    user_data: Dataset | None  # --manifest, --hf-dataset or --lhotse data
    suite: tuple[SuiteData, ...] = ()  # --oal: the leaderboard's sets for the one model
    dropped: tuple[Dropped, ...] = ()  # rows of written-out data that were left out, with reasons


def parse_sizes(value: str | None) -> tuple[int, ...]:
    """--sweep's comma-separated batch sizes."""
    if not value:
        return ()
    try:
        sizes = tuple(int(v) for v in value.split(",") if v.strip())
    except ValueError:
        raise RegistryError(f"--sweep: '{value}' is not a comma-separated list of batch sizes") from None
    if any(s <= 0 for s in sizes):
        raise RegistryError("--sweep: batch sizes must be positive")
    return sizes


def check_outputs(benchmark_json: Path | None, plot: Path | None, manifest: Path | None) -> None:
    """Refuse outputs that cannot be written before anything is benched (no torch or NeMo needed)."""
    from asr_registry.engine.files import check_distinct, check_output

    inputs = [manifest] if manifest is not None else []
    check_distinct([("--benchmark-json", benchmark_json), ("--plot", plot)])
    if benchmark_json is not None:
        check_output(benchmark_json, option="--benchmark-json", needed_bytes=REPORT_BYTES, inputs=inputs)
    if plot is not None:
        check_output(plot, option="--plot", needed_bytes=PLOT_BYTES, inputs=inputs)
        import importlib.util

        if importlib.util.find_spec("matplotlib") is None:
            raise RegistryError("--plot needs matplotlib: pip install 'asr-registry[bench]'")


def plan_bench(
    request: BenchRequest, catalog: Catalog, datasets: Mapping[str, Dataset], scratch: Callable[[], Path], note: Note
) -> BenchPlan:
    """Check `request` and name its data. `scratch()` gives a folder for written-out rows (the caller removes it)."""
    from dataclasses import replace

    from asr_registry.bench.runner import references
    from asr_registry.bench.targets import manifest_dataset
    from asr_registry.catalog.languages import normalize_language

    code = normalize_language(request.language)
    if code is None:
        raise RegistryError(f"--language: '{request.language}' is not an ISO 639-1 code or a known language name")
    if request.tune and not request.ensemble:
        raise RegistryError("--tune needs --ensemble")
    if request.ensemble and request.models:
        raise RegistryError("give ensemble members with --ensemble A,B,C, not as arguments")
    available = frozenset({d.key for d in datasets.values()} | {d.name for d in datasets.values()})
    options = replace(request.options, available=available)
    check_outputs(request.benchmark_json, request.plot, request.manifest)
    user_data = manifest_dataset(request.manifest, request.dataset_name, code, datasets) if request.manifest else None
    if user_data is not None:
        references(user_data)  # a missing, empty or text-less manifest is refused before torch is imported
    plan = BenchPlan(request, options, code, user_data)
    if request.hf.given:
        return _with_hf_data(plan, catalog, datasets, scratch, note)
    return plan


def _with_hf_data(
    plan: BenchPlan, catalog: Catalog, datasets: Mapping[str, Dataset], scratch: Callable[[], Path], note: Note
) -> BenchPlan:
    """--hf-dataset or --lhotse as the user's data, or --oal's sets written out."""
    from dataclasses import replace

    request, hf = plan.request, plan.request.hf
    other_input = bool(request.manifest or request.ensemble)
    language = plan.language if request.language_given else None
    spec = hf.spec()  # sampling options without a dataset are refused here
    if hf.lhotse:
        from asr_registry.bench.targets import lhotse_dataset

        if other_input or spec is not None or hf.leaderboard:
            raise RegistryError("give one of --manifest, --hf-dataset, --lhotse, --oal")
        target, done = lhotse_dataset(hf.lhotse, scratch(), request.dataset_name, language, hf.limit, hf.seed, datasets)
        return replace(plan, user_data=target, dropped=(Dropped(f"--lhotse {hf.lhotse}", done),))
    if spec is None and not hf.leaderboard:
        return replace(plan, user_data=None)
    if other_input or (spec is not None and hf.leaderboard):
        raise RegistryError("give one of --manifest, --hf-dataset, --oal (and no --ensemble with the last two)")
    if spec is not None:
        from asr_registry.bench.targets import hf_dataset

        target, done = hf_dataset(spec, scratch(), request.dataset_name, language, registered=datasets)
        return replace(plan, user_data=target, dropped=(Dropped(f"--hf-dataset {spec.id}", done),))
    if len(request.models) != 1:
        raise RegistryError("--oal benches one model: name it")
    from asr_registry.bench.suite import prepare_suite

    entry = catalog.find(request.models[0])
    suite = prepare_suite(entry, scratch(), hf.limit, hf.seed, note=note, local=hf.oal_data, suite=hf.oal or None)
    dropped = tuple(Dropped(f"{s.board.hf_id} {s.board.config}/{s.board.hf_split}", s.materialised) for s in suite)
    return replace(plan, user_data=None, suite=tuple(suite), dropped=dropped)


def ensemble_data(
    entries: list[ModelEntry], names: list[str], datasets: Mapping[str, Dataset], user_data: Dataset | None, tune: bool
) -> tuple[Dataset, Dataset | None]:
    """The ensemble bench's (data, dev data to tune on): the user's, else the first set every member has claims on."""
    from asr_registry.bench.targets import claimed_datasets

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
    return target, dev
