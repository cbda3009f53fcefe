"""Catalog files as plugins hand them in: the built-in one, and any TOML file in the catalog
schema (`register_catalog_file`), validated through the signed parse cache.

Below both the plugin manager and the default plugins, which use it; it never loads plugins.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import cache

from asr_registry.catalog.schema import Catalog
from asr_registry.errors import CatalogError

BUILTIN_CATALOG_ENV = "ASR_REGISTRY_CATALOG"


def warn(message: str) -> None:
    print(f"asr-registry: warning: {message}", file=sys.stderr)


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


def register_catalog_file(register: Callable[..., None], path: str | os.PathLike[str]) -> None:
    """For plugin authors: register every model of a TOML file written in the catalog schema.

    Relative `source.path` values resolve against the file's folder.
    """
    catalog = checked_catalog_file(os.fspath(path))
    for entry in catalog.models.values():
        register(entry, catalog.sources)
