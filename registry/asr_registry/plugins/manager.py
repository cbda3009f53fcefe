"""Plugin loading: the default plugins plus entry points in the group `asr_registry`.

Order: the default plugins (`asr_registry.plugins.defaults`) first, then installed plugins in
alphabetical order of their entry-point names; every hook is called in that order, so where two
plugins register the same key (a dataset), the one loaded first wins.

A plugin that fails to import (an exception, or even `sys.exit()` at import) or raises in a
hook is reported as a warning on stderr, naming it and the reason, and skipped; everything
else keeps working. `ASR_REGISTRY_LOAD_PLUGINS` (comma-separated entry-point names, empty for
none) limits which installed plugins load; a name there that no installed plugin has is a
warning listing the installed ones.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

import pluggy

from asr_registry.catalog.schema import Catalog, Dataset, ModelEntry, Source
from asr_registry.catalog.validation import check_entry
from asr_registry.errors import DuplicateError, first_line
from asr_registry.plugins import hookspecs
from asr_registry.plugins.catalog_files import (
    builtin_file,
    warn,
)
from asr_registry.plugins.defaults import DEFAULT_PLUGINS
from asr_registry.plugins.entrypoints import entry_points

ENTRY_POINT_GROUP = "asr_registry"
LOAD_PLUGINS_ENV = "ASR_REGISTRY_LOAD_PLUGINS"


@dataclass(frozen=True)
class PluginInfo:
    name: str
    version: str
    hooks: tuple[str, ...]
    builtin: bool
    error: str = ""


@dataclass(frozen=True)
class CombinerInfo:
    name: str
    factory: Callable[..., Any]
    description: str
    plugin: str


@dataclass
class _State:
    manager: pluggy.PluginManager
    versions: dict[str, str] = field(default_factory=dict)
    failed: list[PluginInfo] = field(default_factory=list)
    builtin: set[str] = field(default_factory=set)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, SystemExit):
        return f"it called sys.exit({exc.code!r})"
    return first_line(exc, with_type=True)


@cache
def _state() -> _State:
    manager = pluggy.PluginManager(ENTRY_POINT_GROUP)
    manager.add_hookspecs(hookspecs)
    state = _State(manager)
    for name, plugin in DEFAULT_PLUGINS:
        manager.register(plugin, name=name)
        state.builtin.add(name)
    points = entry_points(ENTRY_POINT_GROUP)
    wanted = os.environ.get(LOAD_PLUGINS_ENV)
    allowed = None if wanted is None else {n.strip() for n in wanted.split(",") if n.strip()}
    unknown = sorted((allowed or set()) - {point.name for point in points})
    if unknown:
        installed = ", ".join(sorted(point.name for point in points)) or "none"
        warn(f"{LOAD_PLUGINS_ENV} names {', '.join(unknown)}, which no installed plugin is (installed: {installed})")
    for point in points:
        if allowed is not None and point.name not in allowed:
            continue
        if manager.has_plugin(point.name):
            continue
        version = point.version
        try:
            plugin = point.load()
            manager.register(plugin, name=point.name)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # SystemExit too: one plugin must never end the command
            warn(f"plugin '{point.name}' failed to load and is skipped: {_describe(exc)}")
            state.failed.append(PluginInfo(point.name, version, (), False, _describe(exc)))
            continue
        state.versions[point.name] = version
    return state


def plugin_manager() -> pluggy.PluginManager:
    return _state().manager


def plugin_infos() -> list[PluginInfo]:
    from asr_registry.errors import package_version

    state = _state()
    infos = []
    for name, plugin in state.manager.list_name_plugin():
        hooks = tuple(sorted(caller.name for caller in state.manager.get_hookcallers(plugin) or ()))
        builtin = name in state.builtin
        version = package_version() if builtin else state.versions.get(name, "")
        infos.append(PluginInfo(name, version, hooks, builtin))
    return sorted(infos + state.failed, key=lambda i: (not i.builtin, i.name))


def _call_each(hook_name: str, make_callback: Callable[[str], Callable[..., None]]) -> None:
    """Call one hook plugin by plugin, so a failure is attributed and contained."""
    caller = getattr(plugin_manager().hook, hook_name)
    # pluggy's own call runs the last registered first; get_hookimpls() is registration order,
    # which is the order documented above (the default plugins, then installed ones).
    for impl in caller.get_hookimpls():
        try:
            impl.function(make_callback(impl.plugin_name))
        except (DuplicateError, KeyboardInterrupt):
            raise
        except BaseException as exc:
            warn(f"plugin '{impl.plugin_name}' failed in {hook_name}: {_describe(exc)}")


# Which plugin module registered each model: entries of built-in modules all say "builtin".
_REGISTERED_BY: dict[str, str] = {}


def registered_by() -> Mapping[str, str]:
    """{model name: the plugin (module, for built-ins) that registered it}."""
    get_catalog()
    return _REGISTERED_BY


@cache
def get_catalog() -> Catalog:
    """Built-in models plus every plugin's, each checked; duplicates name both plugins."""
    models: dict[str, ModelEntry] = {}
    _REGISTERED_BY.clear()  # a cleared cache rebuilds the catalog: forget the last one's owners
    all_sources: dict[str, Source] = dict(builtin_file().sources)

    def make_register(plugin_name: str) -> Callable[..., None]:
        def register(entry: ModelEntry, sources: Mapping[str, Source] | None = None) -> None:
            for key, source in (sources or {}).items():
                if all_sources.setdefault(key, source) != source:
                    raise DuplicateError(
                        f"source '{key}' from plugin '{plugin_name}' differs from the one already defined"
                    )
            if not isinstance(entry, ModelEntry):
                raise TypeError(f"register() takes a ModelEntry, got {type(entry).__name__}")
            owner = plugin_name if plugin_name not in _state().builtin else "builtin"
            entry = replace(entry, plugin=owner)
            findings = check_entry(entry, all_sources)
            if findings:
                path, message = findings[0]
                where = ".".join(str(p) for p in ("models", entry.name, *path))
                warn(f"plugin '{plugin_name}': {where}: {message}; model skipped")
                return
            clash = next((m for m in models.values() if m.name.lower() == entry.name.lower()), None)
            if clash is not None:
                raise DuplicateError(
                    f"model '{entry.name}' is registered twice: by plugin '{clash.plugin}' and by plugin '{owner}'"
                )
            models[entry.name] = entry
            _REGISTERED_BY[entry.name] = plugin_name

        return register

    _call_each("register_models", make_register)
    return Catalog(models=models, sources=all_sources, tiers=dict(builtin_file().tiers))


@cache
def get_datasets() -> dict[str, Dataset]:
    """Evaluation sets by `name` or `name:split`; the first plugin to register a key wins."""
    datasets: dict[str, Dataset] = {}

    def make_register(plugin_name: str) -> Callable[..., None]:
        def register(dataset: Dataset) -> None:
            if dataset.key in datasets:
                warn(
                    f"dataset '{dataset.key}' from plugin '{plugin_name}' ignored: "
                    f"already registered by '{datasets[dataset.key].plugin}'"
                )
                return
            datasets[dataset.key] = replace(dataset, plugin=plugin_name)

        return register

    _call_each("register_datasets", make_register)
    return datasets


def combiner_factories() -> dict[str, Callable[..., Any]]:
    """{name: factory} of every registered combiner, as `ensemble.members.build_combiner` takes them."""
    return {name: info.factory for name, info in get_combiners().items()}


@cache
def get_combiners() -> dict[str, CombinerInfo]:
    combiners: dict[str, CombinerInfo] = {}

    def make_register(plugin_name: str) -> Callable[..., None]:
        def register(name: str, factory: Callable[..., Any], description: str = "") -> None:
            if name in combiners:
                raise DuplicateError(
                    f"combiner '{name}' is registered twice: by plugin '{combiners[name].plugin}' and by plugin '{plugin_name}'"
                )
            combiners[name] = CombinerInfo(name, factory, description, plugin_name)

        return register

    _call_each("register_combiners", make_register)
    return combiners


def add_plugin_commands(cli: Any, builtin: Collection[str] = ()) -> None:
    """Let plugins add subcommands to the click group `cli`; none may replace a built-in.

    A plugin adding a command named like a built-in (`list`) is refused with a warning and the
    built-in stays: otherwise one installed package could silently change what a command does.
    """
    caller = plugin_manager().hook.register_commands
    for impl in caller.get_hookimpls():
        before = dict(cli.commands)
        try:
            impl.function(cli)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:
            warn(f"plugin '{impl.plugin_name}' failed in register_commands: {_describe(exc)}")
        for name in [n for n in cli.commands if n in builtin or n in before]:
            if cli.commands[name] is not before.get(name):
                warn(f"plugin '{impl.plugin_name}' tried to replace the command '{name}'; refused")
                if name in before:
                    cli.commands[name] = before[name]
                else:
                    del cli.commands[name]
