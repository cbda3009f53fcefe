"""The hooks a plugin may implement. Each receives a callback and calls it once per item."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("asr_registry")
hookimpl = pluggy.HookimplMarker("asr_registry")


@hookspec
def register_models(register: Callable[..., None]) -> None:
    """Add models: call `register(entry)` with an `asr_registry.catalog.schema.ModelEntry` each."""


@hookspec
def register_datasets(register: Callable[..., None]) -> None:
    """Add evaluation sets: `register(dataset)` with an `asr_registry.catalog.schema.Dataset` each.

    The bench checks a claim only on the dataset (and split) the claim names.
    """


@hookspec
def register_combiners(register: Callable[..., None]) -> None:
    """Add ensemble combiners: `register(name, factory, description)`.

    `factory(**params)` returns an object with `combine(hypotheses) -> Combined`
    (see `asr_registry.ensemble.combiners`).
    """


@hookspec
def register_commands(cli: Any) -> None:
    """Add subcommands to the click group `cli`."""
