"""`asr-registry plugins`: what is installed, which hooks each plugin implements and what it adds."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from asr_registry.cli.output import echo_json, echo_table, json_option, to_jsonable

if TYPE_CHECKING:
    from asr_registry.plugins.manager import PluginInfo


@click.command("plugins")
@json_option
def command(as_json: bool) -> None:
    """List plugins (built-in and installed) with versions and hooks, and the models, datasets and
    ensemble combiners they register."""
    from asr_registry.plugins.manager import get_combiners, get_datasets, plugin_infos

    infos = plugin_infos()
    models = _models_per_plugin()
    combiners = sorted(get_combiners().values(), key=lambda c: c.name)
    datasets = sorted(get_datasets().values(), key=lambda d: d.key)

    def model_count(info: PluginInfo) -> int | None:
        if models is None:
            return None
        if "register_models" not in info.hooks:
            return 0
        return models.get(info.name, 0)

    if as_json:
        echo_json(
            {
                "plugins": [{**to_jsonable(i), "models": model_count(i)} for i in infos],
                "combiners": [{"name": c.name, "plugin": c.plugin, "description": c.description} for c in combiners],
                "datasets": [
                    {
                        "name": d.key,
                        "plugin": d.plugin,
                        "language": d.language,
                        "manifest": d.manifest,
                        "description": d.description,
                    }
                    for d in datasets
                ],
            }
        )
        return
    _print(infos, model_count, combiners, datasets)


def _models_per_plugin() -> dict[str, int] | None:
    """How many models each plugin registers; None when the catalog cannot be built (warned)."""
    from asr_registry.errors import RegistryError
    from asr_registry.plugins.catalog_files import warn
    from asr_registry.plugins.manager import registered_by

    models: dict[str, int] = {}
    try:
        for plugin in registered_by().values():
            models[plugin] = models.get(plugin, 0) + 1
    except RegistryError as exc:  # e.g. two plugins registering one name: still list the plugins
        warn(f"the catalog cannot be built, model counts unknown: {exc}")
        return None
    return models


def _print(
    infos: list[PluginInfo], model_count: Callable[[PluginInfo], int | None], combiners: list[Any], datasets: list[Any]
) -> None:
    rows = [
        (
            i.name,
            i.version,
            "builtin" if i.builtin else "installed",
            ", ".join(i.hooks) or "-",
            "?" if model_count(i) is None else model_count(i),
            f"FAILED: {i.error}" if i.error else "ok",
        )
        for i in infos
    ]
    echo_table(rows, ["plugin", "version", "kind", "hooks", "models", "status"])
    click.echo("\nCombiners (transcribe/bench --ensemble A,B --combiner NAME[:key=value,...]):")
    echo_table([(c.name, c.plugin, c.description) for c in combiners], ["combiner", "plugin", "description"])
    click.echo("\nDatasets (bench checks claims on these):")
    if datasets:
        echo_table(
            [(d.key, d.plugin, d.language, d.description) for d in datasets],
            ["dataset", "plugin", "language", "description"],
        )
    else:
        click.echo("none registered")
