"""`asr-registry select`: which model fits these languages, this domain, this GPU."""

from __future__ import annotations

from typing import cast

import click

from asr_registry.catalog.languages import normalize_language
from asr_registry.catalog.validation import DOMAINS
from asr_registry.cli import params
from asr_registry.cli.output import JSON_SIGNIFICANT_DIGITS, echo_json, echo_table, json_option
from asr_registry.cli.plan_view import gpu_report_option, load_reports
from asr_registry.errors import RegistryError
from asr_registry.selection.cost import CostPlan, plan_candidates
from asr_registry.selection.gpus import find_gpu
from asr_registry.selection.ranking import QUALITIES, Candidate, Quality, Request, Selection, describe_need, select
from asr_registry.sizing.policy import Sizing

DEFAULT_GPU_MEMORY_GB = 16.0


def _languages(values: tuple[str, ...]) -> tuple[str, ...]:
    codes: list[str] = []
    for value in values:
        for part in value.split(","):
            if not part.strip():
                continue
            code = normalize_language(part)
            if code is None:
                raise RegistryError(f"--language: '{part.strip()}' is not an ISO 639-1 code or a known language name")
            if code not in codes:
                codes.append(code)
    return tuple(codes) or ("en",)


@click.command("select")
@click.option(
    "--language", "-l", "languages", multiple=True, help="ISO 639-1 code; repeat or comma-separate for several."
)
@click.option(
    "--domain",
    default="general",
    show_default=True,
    help=f"The audio's domain, one of: {', '.join(DOMAINS)}. Models made for it are preferred; "
    "models made only for another domain are never chosen.",
)
@click.option("--quality", type=click.Choice(QUALITIES), default="balanced", show_default=True)
@click.option("--hours", type=params.HOURS, default=0.0, help="Total audio hours to transcribe.")
@click.option(
    "--gpu-memory",
    type=params.GPU_MEMORY_GB,
    help="GPU memory in GB. Default: the --gpu class's, else 16.",
)
@click.option(
    "--gpu", default="", help="GPU class (H200, H100, A100-80GB, L4, ...): with --hours, time and cost on it."
)
@click.option(
    "--gpus", type=click.IntRange(min=1, max=100_000), default=1, show_default=True, help="GPUs sharing the --hours."
)
@click.option("--price-per-hour", type=params.PRICE_PER_HOUR, help="Price of one GPU-hour, for the cost.")
@gpu_report_option
@click.option(
    "--max-seconds",
    type=params.AUDIO_SECONDS,
    default=20.0,
    show_default=True,
    help="The longest utterance in your data: memory and batch size are estimated for it.",
)
@click.option("--streaming", is_flag=True, help="Only streaming-capable models.")
@click.option("--allow-unverified", is_flag=True, help="Also rank names that are not published checkpoints (flagged).")
@click.option("--top", type=click.IntRange(min=1), default=5, show_default=True, help="How many candidates to show.")
@click.option(
    "--emit",
    type=click.Choice(["curator"]),
    help="curator: print a ready NeMo Curator pipeline (stage, batch size, resources, executor) for the choice.",
)
@json_option
def command(
    languages: tuple[str, ...],
    domain: str,
    quality: str,
    hours: float,
    gpu_memory: float | None,
    gpu: str,
    gpus: int,
    price_per_hour: float | None,
    gpu_reports: tuple[str, ...],
    max_seconds: float,
    streaming: bool,
    allow_unverified: bool,
    top: int,
    emit: str | None,
    as_json: bool,
) -> None:
    """Rank models for a dataset and GPU, with batch size, precision and resources."""
    from asr_registry.plugins.manager import get_catalog

    catalog = get_catalog()
    domain = domain.strip().lower()
    known = sorted({*DOMAINS, *catalog.domains()})
    if domain not in known:
        raise RegistryError(f"--domain: unknown domain '{domain}'; known: {', '.join(known)}")
    gpu_class = find_gpu(gpu) if gpu else None
    gpu_memory = gpu_memory or (gpu_class.memory_gb if gpu_class else DEFAULT_GPU_MEMORY_GB)
    reports = load_reports(gpu_reports)
    given = (_languages(languages), domain, cast(Quality, quality), hours, gpu_memory, streaming, allow_unverified)
    request = Request(*given, max_seconds, reports)
    selection = select(catalog, request)
    if emit == "curator":
        from asr_registry.curator.snippet import curator_snippet

        choice = selection.choice
        click.echo(
            curator_snippet(
                choice.model.name,
                gpu_memory_gb=gpu_memory,
                batch_size=choice.batch_size,
                batch_basis=choice.sizing.batch_basis,
                precision=choice.precision,
                cpus=choice.sizing.cpus,
            ),
            nl=False,
        )
        return
    costs = (
        plan_candidates(selection.candidates[:top], hours, gpu_class, gpus, price_per_hour)
        if gpu_class and hours
        else {}
    )
    if as_json:
        echo_json(_as_dict(selection, top, costs), significant_digits=JSON_SIGNIFICANT_DIGITS)
    else:
        _print(selection, top, costs)


def _as_dict(selection: Selection, top: int, costs: dict[str, CostPlan | None]) -> dict[str, object]:
    def candidate(c: Candidate) -> dict[str, object]:
        sizing = c.sizing
        cost = costs.get(c.model.name)
        planned = {"time_and_cost": cost.as_dict() if cost else None} if c.model.name in costs else {}
        return {
            "rank": c.rank,
            "model": c.model.name,
            "status": c.model.status,
            "source": c.model.source.describe(),
            "plugin": c.model.plugin,
            "score": round(c.score, 3),
            "error_metric": c.error_metric,
            "error_rate": _rounded(c.error_rate, 2),
            "error_basis": c.error_basis,
            "rtfx": _rounded(c.rtfx, 0),
            "rtfx_basis": c.rtfx_basis,
            "batch_size": c.batch_size,
            "batch_size_basis": sizing.batch_basis,
            "precision": c.precision,
            "gpu_memory_fit": sizing.fit,
            "gpu_memory_gb": _rounded(sizing.gpu_memory_gb, 2),
            "gpu_memory_lower_bound": sizing.lower_bound,
            "gpu_memory_basis": sizing.memory_basis,
            "cpus": sizing.cpus,
            "reasons": list(c.reasons),
            **planned,
        }

    return {
        "request": selection.request,
        "choice": candidate(selection.choice),
        "candidates": [candidate(c) for c in selection.candidates[:top]],
        "excluded": [{"model": e.model.name, "reason": e.reason} for e in selection.excluded],
        "notes": list(selection.notes),
    }


def _rounded(value: float | None, digits: int) -> float | None:
    """Estimates carry no more digits than the table shows (RTFx as a whole number)."""
    if value is None:
        return None
    return round(value, digits) if digits else float(round(value))


def _print(selection: Selection, top: int, costs: dict[str, CostPlan | None]) -> None:
    choice = selection.choice
    request = selection.request
    flag = "  [UNVERIFIED]" if not choice.model.published else ""
    memory_flag = "" if choice.sizing.known_to_fit else "  [GPU MEMORY NEED UNKNOWN]"
    click.echo(f"Choice: {choice.model.name}{flag}{memory_flag}  ({choice.model.source.describe()})")
    click.echo(
        f"  batch size {choice.batch_size} for {request.gpu_memory_gb:g} GB ({choice.sizing.batch_basis}), "
        f"precision {choice.precision}; request {_amount(choice.sizing.cpus, 'CPUs')}, "
        f"GPU memory {describe_need(choice.sizing)}"
    )
    click.echo("")
    rows = [
        (
            c.rank,
            c.model.name + (" [UNVERIFIED]" if not c.model.published else ""),
            _fmt(c.error_rate),
            _fmt(c.rtfx, 0),
            c.batch_size,
            _gb(c.sizing),
            c.precision,
            "; ".join(c.reasons),
        )
        for c in selection.candidates[:top]
    ]
    echo_table(
        rows, ["#", "model", f"{selection.error_metric.upper()} %", "RTFx", "batch", "GPU GB", "precision", "why"]
    )
    if selection.excluded:
        click.echo("\nNot considered:")
        for item in selection.excluded:
            click.echo(f"  {item.model.name}: {item.reason}")
    for note in selection.notes:
        click.echo(f"note: {note}")
    if costs:
        click.echo("\nTime and cost (estimates):")
        for name, cost in costs.items():
            click.echo(f"  {name}: {_describe_cost(cost)}")


def _describe_cost(cost: CostPlan | None) -> str:
    if cost is None:
        return "unknown (no speed figure)"
    money = f", {cost.cost:,.2f} at {cost.price_per_hour:g}/GPU-hour" if cost.cost is not None else ""
    return (
        f"{cost.gpu_hours:,.2f} {cost.gpu}-hours, {cost.wall_hours:,.2f} h on {cost.gpus} GPU(s){money} "
        f"(RTFx ~{cost.rtfx:,.0f}: {cost.basis})"
    )


def _gb(sizing: Sizing) -> str:
    """The GPU memory to request at the chosen batch: "~" marks an estimate, ">=" a lower bound."""
    if sizing.gpu_memory_gb is None:
        return "?"
    mark = ">=" if sizing.lower_bound else "~" if sizing.memory_basis.startswith("estimated") else ""
    return f"{mark}{sizing.gpu_memory_gb:.1f}"


def _fmt(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "?"
    return f"{value:.{digits}f}" if digits else f"{value:.0f}"


def _amount(value: float | None, unit: str) -> str:
    return f"{value:g} {unit}" if value is not None else f"? {unit} (no figure in the catalog)"
