"""The default plugin that contributes the catalog shipped with the package (models.toml)."""

from __future__ import annotations

from collections.abc import Callable

from asr_registry.plugins.hookspecs import hookimpl


@hookimpl
def register_models(register: Callable[..., None]) -> None:
    from asr_registry.plugins.manager import builtin_file

    catalog = builtin_file()
    for entry in catalog.models.values():
        register(entry, catalog.sources)
