"""`asr-registry cache NAME...`: pre-download checkpoints; `--list`: what is cached.

Unlike the how-to's recipe (`ASRModel.from_pretrained(name, map_location="cpu")`,
which builds every model in memory just to download it and ignores its
`cache_dir` argument), this downloads the checkpoint only (NeMo's
`from_pretrained(..., return_model_file=True)`) into the cache `transcribe`
reads: --cache-dir, else $ASR_REGISTRY_CACHE, else NeMo's/huggingface_hub's own.
"""

from __future__ import annotations

from typing import Any

import click

from asr_registry.cli.output import echo_json, echo_table, json_option


def _megabytes(size: int) -> str:
    return f"{size / 1e6:,.1f} MB"


def _as_dict(item: Any) -> dict[str, Any]:
    return {"name": item.name, "source": item.source, "path": str(item.path), "size_bytes": item.size_bytes}


@click.command("cache")
@click.argument("names", nargs=-1)
@click.option("--list", "list_only", is_flag=True, help="Show cached catalog models (name, path, size).")
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False),
    help="Cache folder (default: $ASR_REGISTRY_CACHE, else NeMo/HF defaults).",
)
@json_option
def command(names: tuple[str, ...], list_only: bool, cache_dir: str | None, as_json: bool) -> None:
    """Download the checkpoints of catalog models NAME... so `transcribe` works offline."""
    from asr_registry.engine.downloads import download_all
    from asr_registry.plugins.manager import get_catalog

    catalog = get_catalog()
    if list_only:
        entries = [catalog.find(n) for n in names] if names else sorted(catalog.models.values(), key=lambda e: e.name)
        _show_cached(entries, cache_dir, as_json)
        return
    if not names:
        raise click.UsageError("name at least one model, or pass --list")
    entries = [catalog.find(n) for n in names]  # unknown names fail before any download

    def done(item: Any) -> None:
        if not as_json:
            click.echo(f"cached {item.name}: {item.path} ({_megabytes(item.size_bytes)})")

    def failed(why: str) -> None:
        if len(entries) > 1:  # one model: its error is the command's
            click.echo(f"error: {why}", err=True)

    result = download_all(entries, cache_dir, on_done=done, on_failure=failed)
    if as_json:
        echo_json({"cached": [_as_dict(c) for c in result.done], "failed": result.failures})
    result.raise_failures(len(entries))


def _show_cached(entries: list[Any], cache_dir: str | None, as_json: bool) -> None:
    from asr_registry.engine import loading

    cached = loading.list_cached(entries, cache_dir)
    dirs = loading.cache_dirs(cache_dir)
    if as_json:
        echo_json(
            {
                "nemo_cache": str(dirs.nemo),
                "huggingface_cache": str(dirs.huggingface),
                "models": [_as_dict(c) for c in cached],
            }
        )
        return
    click.echo(f"NeMo cache: {dirs.nemo}\nHF cache:   {dirs.huggingface}\n")
    if not cached:
        click.echo("no catalog model is cached")
        return
    echo_table(
        [(c.name, c.source, str(c.path), _megabytes(c.size_bytes)) for c in cached],
        ("name", "source", "path", "size"),
    )
