"""`transcribe --dry-run`: the resolved plan (`engine/settings.py::plan_run`), printed without loading
the model; `--gpu-memory GB` / `--gpu NAME` plan for a GPU that is not here, `--gpu-report FILE` adds
a GPU check's measured figures. Also the `--gpu-report` option that select and bench share."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import click

from asr_registry.cli import params
from asr_registry.cli.option_groups import option_group
from asr_registry.cli.output import echo_json
from asr_registry.errors import RegistryError

if TYPE_CHECKING:
    from asr_registry.scale.spec import TranscriberSpec
    from asr_registry.sizing.measured import GpuReport


def gpu_report_option(function: Any) -> Any:
    return click.option(
        "--gpu-report",
        "gpu_reports",
        multiple=True,
        type=click.Path(dir_okay=False, exists=True),
        help="A GPU check report (bench/gpu_check.py JSON): its measured memory and throughput knee "
        "count for GPUs of its class. Repeatable.",
    )(function)


def load_reports(paths: Sequence[str]) -> tuple[GpuReport, ...]:
    from asr_registry.sizing.measured import load_report

    return tuple(load_report(path) for path in paths)


@dataclass(frozen=True)
class DryRun:
    dry_run: bool = False
    gpu_memory: float | None = None
    gpu: str = ""
    gpu_reports: tuple[str, ...] = ()
    max_seconds: float | None = None

    def show(self, spec: TranscriberSpec, as_json: bool) -> None:
        """Print the plan of `spec`'s model (never loads it)."""
        from asr_registry.engine.settings import plan_run
        from asr_registry.plugins.manager import get_catalog

        if spec.model is None:
            raise RegistryError("--dry-run plans one --model (not an ensemble)")
        gpu_memory = self.gpu_memory
        if gpu_memory is None and self.gpu:
            gpu_memory = _memory_of(self.gpu)
        plan = plan_run(
            get_catalog().find(spec.model),
            gpu_memory_gb=gpu_memory,
            gpu_name=self.gpu,
            device=spec.device,
            precision=spec.precision,
            decoder=spec.decoder,
            batch_size=spec.batch_size,
            max_seconds=self.max_seconds,
            max_audio_seconds=spec.max_audio_seconds,
            chunk_overlap_seconds=spec.chunk_overlap_seconds,
            gpu_reports=load_reports(self.gpu_reports),
        )
        if as_json:
            echo_json({**plan.as_dict(), "cuda_graphs": spec.cuda_graphs})
            return
        for line in [*plan.lines(), f"cuda graphs: {spec.cuda_graphs}", *(f"note: {n}" for n in plan.notes)]:
            click.echo(line)


def _memory_of(gpu: str) -> float:
    from asr_registry.selection.gpus import find_gpu

    return find_gpu(gpu).memory_gb


dry_run_options = option_group(
    "dry",
    DryRun,
    click.option("--dry-run", is_flag=True, help="Print the resolved plan (batch, memory, precision) and stop."),
    click.option(
        "--gpu-memory",
        type=params.GPU_MEMORY_GB,
        help="With --dry-run: plan for a GPU of this many GB (present or not).",
    ),
    click.option("--gpu", default="", help="With --dry-run: plan for this GPU class (e.g. H100, A100-80GB, L4)."),
    click.option(
        "--max-seconds",
        type=params.AUDIO_SECONDS,
        help="With --dry-run: the longest utterance the batch is planned for (default 20, as select).",
    ),
    gpu_report_option,
)
