"""Plugin loading: built-in defaults plus entry points in the group `asr_registry`.

A plugin that fails to import or raises in a hook is reported as a warning on stderr
and skipped; everything else keeps working. `ASR_REGISTRY_LOAD_PLUGINS` (comma-separated
entry-point names, empty for none) limits which installed plugins load.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

import pluggy

from asr_registry.catalog.schema import Catalog, Dataset, ModelEntry, Source
from asr_registry.catalog.validation import check_entry
from asr_registry.errors import CatalogError, DuplicateError
from asr_registry.plugins import hookspecs
from asr_registry.plugins.entrypoints import entry_points

ENTRY_POINT_GROUP = "asr_registry"
LOAD_PLUGINS_ENV = "ASR_REGISTRY_LOAD_PLUGINS"
BUILTIN_CATALOG_ENV = "ASR_REGISTRY_CATALOG"
DEFAULT_PLUGINS: tuple[str, ...] = (
    "asr_registry.plugins.builtin_models",
    "asr_registry.ensemble.builtin",
    "asr_registry.shadow.registry_file",
)


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


def warn(message: str) -> None:
    print(f"asr-registry: warning: {message}", file=sys.stderr)


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


@cache
def _state() -> _State:
    manager = pluggy.PluginManager(ENTRY_POINT_GROUP)
    manager.add_hookspecs(hookspecs)
    state = _State(manager)
    for module_name in DEFAULT_PLUGINS:
        module = importlib.import_module(module_name)
        manager.register(module, name=module_name)
        state.builtin.add(module_name)
    wanted = os.environ.get(LOAD_PLUGINS_ENV)
    allowed = None if wanted is None else {n.strip() for n in wanted.split(",") if n.strip()}
    for point in entry_points(ENTRY_POINT_GROUP):
        if allowed is not None and point.name not in allowed:
            continue
        if manager.has_plugin(point.name):
            continue
        version = point.version
        try:
            plugin = point.load()
            manager.register(plugin, name=point.name)
        except Exception as exc:
            warn(f"plugin '{point.name}' failed to load: {_describe(exc)}")
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
    for impl in reversed(caller.get_hookimpls()):  # registration order
        try:
            impl.function(make_callback(impl.plugin_name))
        except DuplicateError:
            raise
        except Exception as exc:
            warn(f"plugin '{impl.plugin_name}' failed in {hook_name}: {_describe(exc)}")


# Paths are plain strings here: pathlib (with urllib.parse) costs ~4 ms of every CLI start.
def builtin_catalog_path() -> str:
    override = os.environ.get(BUILTIN_CATALOG_ENV)
    return override or os.path.join(os.path.dirname(os.path.dirname(__file__)), "catalog", "models.toml")


@cache
def builtin_file() -> Catalog:
    """The parsed built-in catalog; a broken built-in file is an error, not a warning."""
    return checked_catalog_file(builtin_catalog_path())


def checked_catalog_file(path: str) -> Catalog:
    """A catalog file, validated (through the parse cache); its first problem is an error."""
    from asr_registry.catalog import cache as catalog_cache

    cached = catalog_cache.load(path)
    if cached is not None:
        return cached
    from asr_registry.catalog.validation import validate_file

    catalog, problems = validate_file(path)
    if problems:
        more = f"{len(problems) - 1} more; " if len(problems) > 1 else ""
        raise CatalogError(f"{problems[0]} ({more}run 'asr-registry validate {path}')")
    catalog_cache.store(path, catalog)
    return catalog


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


def register_catalog_file(register: Callable[..., None], path: str | os.PathLike[str]) -> None:
    """For plugin authors: register every model of a TOML file written in the catalog schema.

    Relative `source.path` values resolve against the file's folder.
    """
    catalog = checked_catalog_file(os.fspath(path))
    for entry in catalog.models.values():
        register(entry, catalog.sources)


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


def add_plugin_commands(cli: Any) -> None:
    _call_each("register_commands", lambda _plugin: cli)
