"""`asr-registry select`: which model fits these languages, this domain, this GPU."""

from __future__ import annotations

import click

from asr_registry.cli.output import echo_json, echo_table, json_option
from asr_registry.errors import RegistryError
from asr_registry.languages import normalize_language
from asr_registry.selection import QUALITIES, Candidate, Request, Selection, select


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
@click.option("--domain", default="general", show_default=True, help="general, telephony, noisy, meeting, ...")
@click.option("--quality", type=click.Choice(QUALITIES), default="balanced", show_default=True)
@click.option("--hours", type=click.FloatRange(min=0), default=0.0, help="Total audio hours to transcribe.")
@click.option(
    "--gpu-memory",
    type=click.FloatRange(min=0, min_open=True),
    default=16.0,
    show_default=True,
    help="GPU memory in GB.",
)
@click.option("--streaming", is_flag=True, help="Only streaming-capable models.")
@click.option("--allow-unverified", is_flag=True, help="Also rank names that are not published checkpoints (flagged).")
@click.option("--top", type=click.IntRange(min=1), default=5, show_default=True, help="How many candidates to show.")
@json_option
def command(
    languages: tuple[str, ...],
    domain: str,
    quality: str,
    hours: float,
    gpu_memory: float,
    streaming: bool,
    allow_unverified: bool,
    top: int,
    as_json: bool,
) -> None:
    """Rank models for a dataset and GPU, with batch size, precision and resources."""
    from asr_registry.plugins import get_catalog

    catalog = get_catalog()
    domain = domain.strip().lower()
    if domain not in catalog.domains() and domain != "general":
        raise RegistryError(f"--domain: unknown domain '{domain}'; known: {', '.join(catalog.domains())}")
    request = Request(_languages(languages), domain, quality, hours, gpu_memory, streaming, allow_unverified)  # type: ignore[arg-type]
    selection = select(catalog, request)
    if as_json:
        echo_json(_as_dict(selection, top))
    else:
        _print(selection, top)


def _as_dict(selection: Selection, top: int) -> dict[str, object]:
    def candidate(c: Candidate) -> dict[str, object]:
        return {
            "rank": c.rank, "model": c.model.name, "status": c.model.status, "source": c.model.source.describe(),
            "score": round(c.score, 4), "wer": c.wer, "wer_basis": c.wer_basis, "rtfx": c.rtfx,
            "rtfx_basis": c.rtfx_basis, "batch_size": c.batch_size, "batch_size_basis": c.batch_size_basis,
            "precision": c.precision, "gpu_memory_gb": c.gpu_memory_gb, "cpus": c.cpus, "reasons": list(c.reasons),
        }  # fmt: skip

    return {
        "request": selection.request,
        "choice": candidate(selection.choice),
        "candidates": [candidate(c) for c in selection.candidates[:top]],
        "excluded": [{"model": e.model.name, "reason": e.reason} for e in selection.excluded],
        "notes": list(selection.notes),
    }


def _print(selection: Selection, top: int) -> None:
    choice = selection.choice
    request = selection.request
    flag = "  [UNVERIFIED]" if not choice.model.published else ""
    click.echo(f"Choice: {choice.model.name}{flag}  ({choice.model.source.describe()})")
    click.echo(
        f"  batch size {choice.batch_size} for {request.gpu_memory_gb:g} GB ({choice.batch_size_basis}), "
        f"precision {choice.precision}; request {_amount(choice.cpus, 'CPUs')}, {_amount(choice.gpu_memory_gb, 'GB of GPU memory')}"
    )
    click.echo("")
    rows = [
        (c.rank, c.model.name + (" [UNVERIFIED]" if not c.model.published else ""), _fmt(c.wer), _fmt(c.rtfx, 0),
         c.batch_size, c.precision, "; ".join(c.reasons))
        for c in selection.candidates[:top]
    ]  # fmt: skip
    echo_table(rows, ["#", "model", "WER %", "RTFx", "batch", "precision", "why"])
    if selection.excluded:
        click.echo("\nNot considered:")
        for item in selection.excluded:
            click.echo(f"  {item.model.name}: {item.reason}")
    for note in selection.notes:
        click.echo(f"note: {note}")


def _fmt(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "?"
    return f"{value:.{digits}f}" if digits else f"{value:.0f}"


def _amount(value: float | None, unit: str) -> str:
    return f"{value:g} {unit}" if value is not None else f"? {unit} (no figure in the catalog)"
