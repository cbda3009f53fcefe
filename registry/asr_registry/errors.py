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
