"""Errors a user can fix. The CLI prints them as one line on stderr and exits 2."""

from __future__ import annotations


class RegistryError(Exception):
    """Bad input: a file, line or field the user can correct. Message is one line."""


class CatalogError(RegistryError):
    """A catalog (models.toml or a plugin's entry) is invalid."""


class ModelNotFoundError(RegistryError):
    """A model name that no catalog or plugin knows."""


class SelectionError(RegistryError):
    """No model satisfies the request."""


class DuplicateError(CatalogError):
    """Two plugins registered the same name: an error for the whole catalog, not one plugin."""


def first_line(exc: BaseException, *, with_type: bool = False) -> str:
    """The first line of an exception's message (its type's name when it has none).

    Library errors (NeMo's, datasets', the OS's) can run to pages; a skip reason or a CLI
    error is one line. `with_type` prefixes the type, where the message alone is ambiguous.
    """
    lines = str(exc).strip().splitlines()
    if not lines:
        return type(exc).__name__
    return f"{type(exc).__name__}: {lines[0]}" if with_type else lines[0]


def package_version() -> str:
    """asr-registry's installed version ("0.0.0" for a source tree that was never installed).

    Looked up only when asked for: importlib.metadata costs ~30 ms, and the catalog commands
    must start fast.
    """
    return installed_version("asr-registry") or "0.0.0"


def installed_version(distribution: str) -> str | None:
    """An installed distribution's version from its metadata (no import of the package), None when absent."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return None
