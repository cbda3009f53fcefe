"""`asr-registry show NAME`: every field of one model, claims with their sources."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from asr_registry.cli.output import echo_json, echo_table, json_option

if TYPE_CHECKING:
    from asr_registry.catalog.schema import Catalog, ModelEntry


@click.command("show")
@click.argument("name")
@json_option
def command(name: str, as_json: bool) -> None:
    """Show one model: all fields, resources, claims and their sources."""
    from asr_registry.errors import ModelNotFoundError
    from asr_registry.plugins.catalog_files import builtin_file
    from asr_registry.plugins.manager import get_catalog

    catalog = get_catalog()
    excluded = builtin_file().excluded.get(name.removeprefix("nvidia/"))
    if excluded is not None and catalog.get(excluded.name) is None:
        raise ModelNotFoundError(
            f"'{excluded.name}' is deliberately not in the catalog ({excluded.kind}): {excluded.reason}"
        )
    model = catalog.find(name)
    if as_json:
        sources = {c.source for c in model.claims} | ({model.resources.source} - {""})
        echo_json({"model": model, "sources": {k: catalog.sources[k] for k in sorted(sources) if k in catalog.sources}})
        return
    _print_fields(model)
    _print_resources_and_claims(model, catalog)


def _print_fields(model: ModelEntry) -> None:
    fields = [
        ("name", model.name),
        ("status", model.status.upper() if not model.published else model.status),
        ("source", model.source.describe()),
        ("sha256", model.source.sha256),
        ("architecture", model.architecture),
        ("family", model.family),
        ("decoders", ", ".join(model.decoders)),
        ("size", model.size),
        ("parameters", f"{model.parameters:,}" if model.parameters else "?"),
        ("languages", ", ".join(model.languages)),
        ("domains", ", ".join(model.domains)),
        ("streaming", model.streaming),
        ("punctuation", model.punctuation),
        ("capitalization", model.capitalization),
        ("sample rate", f"{model.sample_rate} Hz"),
        ("license", model.license),
        ("precision", model.precision),
        ("tasks", ", ".join(model.tasks)),
        ("prompt", ", ".join(model.prompt)),
        ("locales", ", ".join(model.locales)),
        ("att context", ", ".join(f"[{left}, {right}]" for left, right in model.att_context_sizes)),
        ("chunk sizes", ", ".join(f"{ms} ms" for ms in model.chunk_sizes_ms)),
        ("emission delay", ", ".join(f"{d} {sec:+.2f} s" for d, sec in model.emission_delay_s)),
        ("substitutes", ", ".join(model.substitutes)),
        ("plugin", model.plugin),
        ("notes", model.notes),
    ]
    for label, value in fields:
        if value not in ("", None):
            click.echo(f"{label + ':':16}{value}")


def _print_resources_and_claims(model: ModelEntry, catalog: Catalog) -> None:
    resources = model.resources
    tier = catalog.tiers.get(model.size)
    if resources.min_gpu_memory_gb or resources.batch_size or resources.cpus:
        sizes = ", ".join(f"{gb} GB: {bs}" for gb, bs in sorted(resources.batch_size.items()))
        click.echo(
            f"{'resources:':16}min GPU {resources.min_gpu_memory_gb or '?'} GB, CPUs {resources.cpus or '?'}, "
            f"batch {sizes or '?'} ({resources.source})"
        )
    elif tier is not None:
        sizes = ", ".join(f"{gb} GB: {bs}" for gb, bs in sorted(tier.resources.batch_size.items()))
        click.echo(
            f"{'resources:':16}{model.size}-tier guide: min GPU {tier.resources.min_gpu_memory_gb or '?'} GB, "
            f"batch {sizes or '?'} ({tier.resources.source})"
        )
    click.echo(f"\nClaims ({len(model.claims)}):")
    rows = [(c.metric, c.describe_value(), c.describe_conditions(), c.source) for c in model.claims]
    echo_table(rows, ["metric", "value", "conditions", "source"])
    used = sorted({c.source for c in model.claims} | ({resources.source} - {""}))
    if used:
        click.echo("\nSources:")
        for key in used:
            source = catalog.sources.get(key)
            if source is not None:
                click.echo(f"  {key}: {source.title}, {source.date}" + (f", {source.url}" if source.url else ""))
