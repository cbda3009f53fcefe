"""`asr-registry list`: the catalog, filtered."""

from __future__ import annotations

import click

from asr_registry.catalog.languages import normalize_language
from asr_registry.cli.output import echo_json, echo_table, json_option
from asr_registry.errors import RegistryError


@click.command("list")
@click.option("--language", "-l", help="Only models covering this language.")
@click.option("--domain", help="Only models made for this domain.")
@click.option("--status", type=click.Choice(["published", "unverified"]), help="Only this status.")
@json_option
def command(language: str | None, domain: str | None, status: str | None, as_json: bool) -> None:
    """List catalog and plugin models."""
    from asr_registry.plugins.manager import get_catalog

    code = None
    if language:
        code = normalize_language(language)
        if code is None:
            raise RegistryError(f"--language: '{language}' is not an ISO 639-1 code or a known language name")
    models = [
        m
        for m in get_catalog().models.values()
        if (code is None or code in m.languages)
        and (domain is None or domain in m.domains)
        and (status is None or m.status == status)
    ]
    models.sort(key=lambda m: (m.status != "published", m.name))
    if as_json:
        echo_json(models)
        return
    rows = [
        (
            m.name,
            m.status,
            m.family,
            m.size,
            _millions(m.parameters),
            _languages(m.languages),
            ",".join(m.tasks),
            "yes" if m.streaming else "",
            ",".join(m.prompt),
            ",".join(m.domains),
            m.plugin,
        )
        for m in models
    ]
    headers = ["model", "status", "family", "size", "params", "languages", "tasks", "stream", "prompt", "domains"]
    echo_table(rows, [*headers, "plugin"])
    click.echo(f"\n{len(models)} models")


def _languages(codes: tuple[str, ...]) -> str:
    return ",".join(codes) if len(codes) <= 4 else f"{','.join(codes[:3])},+{len(codes) - 3}"


def _millions(parameters: int | None) -> str:
    if parameters is None:
        return "?"
    return f"{parameters / 1e6:.1f}M" if parameters < 10_000_000 else f"{parameters / 1e6:.0f}M"
