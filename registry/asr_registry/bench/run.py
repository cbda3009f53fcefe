"""Run a checked bench plan (`asr_registry.bench.plan`): models, an ensemble or the leaderboard suite,
then one report with a verdict on every claim. Rendering and writing files are the caller's."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Protocol

from asr_registry.bench.plan import BenchPlan, Note, ensemble_data
from asr_registry.errors import RegistryError

if TYPE_CHECKING:
    from asr_registry.bench.ensemble import Tuning
    from asr_registry.bench.results import BenchReport, MachineInfo, Scored
    from asr_registry.bench.runner import BenchOptions
    from asr_registry.bench.suite import SuiteData
    from asr_registry.catalog.schema import Catalog, Dataset, ModelEntry
    from asr_registry.ensemble.combiners import Combiner


class StepBar(Protocol):
    """What the bench tells a progress bar (tqdm fits): what runs now, and runs done."""

    def set_postfix_str(self, text: str) -> None: ...
    def update(self, steps: int) -> object: ...
    def close(self) -> None: ...


# The Ray integration's bench, handed in by the caller (the bench does not import `scale`):
# (models, catalog, datasets, user data, options) -> (scored runs, machine, lines about the pool).
RayBench = Callable[
    [Sequence[str], "Catalog", Mapping[str, "Dataset"], "Dataset | None", "BenchOptions"],
    "tuple[list[Scored], MachineInfo, list[str]]",
]


@dataclass(frozen=True)
class BenchOutcome:
    report: BenchReport
    tuning: Tuning | None = None  # --tune: the combiner chosen on the dev split
    suite: tuple[SuiteData, ...] = ()  # --oal: the leaderboard's sets, one per run (in the runs' order)
    suite_entry: ModelEntry | None = None  # --oal: the model they were run for
    ray_lines: tuple[str, ...] = ()  # --executor ray: the pool that ran it
    scored: tuple[Scored, ...] = ()  # the runs with their texts, for --log-samples

    @property
    def failed(self) -> bool:
        """Whether a claim failed (the command's exit code 1)."""
        return any(v.status == "FAIL" for run in self.report.runs for v in run.verdicts)


def run_bench(
    plan: BenchPlan,
    catalog: Catalog,
    datasets: Mapping[str, Dataset],
    *,
    bar: Callable[[int], StepBar],
    note: Note,
    on_ray: RayBench | None = None,
    combiners: Mapping[str, Callable[..., Combiner]] | None = None,
) -> BenchOutcome:
    """Run `plan`; `bar(steps)` makes the progress bar of a models bench, `note` prints a note.

    `combiners`: the registered ensemble combiners by name, needed for an ensemble bench.
    """
    from datetime import UTC, datetime

    from asr_registry.bench.runner import build_report, pair_up

    request, options = plan.request, plan.options
    started = datetime.now(UTC)
    tuning, entry = None, None
    suite: tuple[SuiteData, ...] = ()
    ray_lines: tuple[str, ...] = ()
    if on_ray is not None:
        if request.ensemble or plan.suite or options.sweep or options.memory_budget_gb:
            raise RegistryError(
                "--executor ray benches models on manifests or datasets; not --ensemble, --sweep, "
                "--memory-budget or Hugging Face datasets"
            )
        scored, machine, lines = on_ray(request.models, catalog, datasets, plan.user_data, options)
        ray_lines = tuple(lines)
    elif request.ensemble:
        scored, machine, tuning = _bench_ensemble(plan, catalog, datasets, combiners or {})
    elif plan.suite:
        entry = catalog.find(request.models[0])
        scored, machine, suite = _bench_suite(entry, catalog, plan.suite, options, note)
    else:
        scored, machine = _bench_models(plan, catalog, datasets, bar)
    report = build_report(pair_up(scored, options.resamples), machine, started, options.rounds)
    return BenchOutcome(report, tuning, suite, entry, ray_lines, tuple(scored))


def _bench_models(
    plan: BenchPlan, catalog: Catalog, datasets: Mapping[str, Dataset], bar: Callable[[int], StepBar]
) -> tuple[list[Scored], MachineInfo]:
    from asr_registry.bench.runner import bench_model
    from asr_registry.bench.targets import plan as pairs_of
    from asr_registry.engine.loading import verify_before_load

    options = plan.options
    pairs = pairs_of(catalog, datasets, plan.request.models, plan.user_data)
    verify_before_load([entry for entry, _ in pairs])  # a wrong checksum is refused before torch is imported
    scored: list[Scored] = []
    machine = None
    progress = bar(sum(len(ds) * len(options.decoders or entry.decoders) for entry, ds in pairs))
    try:
        for entry, chosen in pairs:
            runs, _, machine = bench_model(entry, catalog, chosen, options, progress.set_postfix_str)
            scored.extend(runs)
            progress.update(len(runs))
    finally:
        progress.close()
    assert machine is not None
    return scored, machine


def _bench_suite(
    entry: ModelEntry, catalog: Catalog, suite: Sequence[SuiteData], options: BenchOptions, note: Note
) -> tuple[list[Scored], MachineInfo, tuple[SuiteData, ...]]:
    """Each suite's sets under the suite's conditions (long-form: batch 1, local attention), then the
    leaderboard's verdicts over all of them. The sets come back in the runs' order."""
    from asr_registry.bench.runner import bench_model
    from asr_registry.bench.suite import suite_verdicts
    from asr_registry.engine.loading import verify_before_load
    from asr_registry.engine.long_audio import LOCAL_ATTENTION_ARCHITECTURES

    verify_before_load([entry])
    scored: list[Scored] = []
    order: list[SuiteData] = []
    hardware, machine = None, None
    for named in dict.fromkeys(s.suite for s in suite):
        group = [s for s in suite if s.suite == named]
        conditions = options
        if named.local_attention:
            local = entry.architecture in LOCAL_ATTENTION_ARCHITECTURES
            conditions = replace(
                options,
                batch_size=options.batch_size or named.batch_size,
                long_audio=options.long_audio or ("local-attention" if local else None),
            )
        done, hardware, machine = bench_model(
            entry, catalog, [s.dataset for s in group], conditions, lambda text: note(f"benching {text}")
        )
        scored += done
        order += group * (len(done) // len(group))  # bench_model runs every set once per decoder, in order
    assert machine is not None
    runs = suite_verdicts(entry, catalog, scored, order, hardware, options.available, options.resamples)
    return [replace(s, run=run) for s, run in zip(scored, runs, strict=True)], machine, tuple(order)


def _bench_ensemble(
    plan: BenchPlan,
    catalog: Catalog,
    datasets: Mapping[str, Dataset],
    combiners: Mapping[str, Callable[..., Combiner]],
) -> tuple[list[Scored], MachineInfo, Tuning | None]:
    from asr_registry.bench.ensemble import bench_ensemble
    from asr_registry.bench.runner import hardware_of, machine_info
    from asr_registry.engine.loading import verify_before_load
    from asr_registry.ensemble.members import parse_members

    request, options = plan.request, plan.options
    assert request.ensemble is not None
    parsed = parse_members(request.ensemble)
    entries = [catalog.find(member.model) for member in parsed]
    target, dev = ensemble_data(entries, [m.label for m in parsed], datasets, plan.user_data, request.tune)
    verify_before_load(entries)  # a wrong checksum is refused before torch is imported
    import torch

    from asr_registry.engine.threads import apply, choose_threads

    apply(choose_threads(options.threads, decode_workers=2)[0])  # as the members' engines will
    machine = machine_info(options.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    scored, tuning = bench_ensemble(
        parsed, request.combiner, catalog, target, options, hardware_of(machine), dev, combiners=combiners
    )
    return scored, machine, tuning
