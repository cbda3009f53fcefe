"""Shared output helpers: tables for people, JSON for machines."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Sequence
from typing import Any

import click


def to_jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in value]
    return value


# Significant digits for estimates in JSON: every catalog figure (e.g. 6399.25) survives, while
# arithmetic noise (8.516666666666667, 0.30000000000000004) does not reach machines or diffs.
JSON_SIGNIFICANT_DIGITS = 6


def rounded(value: Any, digits: int = JSON_SIGNIFICANT_DIGITS) -> Any:
    """`value` with every float rounded to `digits` significant digits, never into its integer part
    (a timestamp stays whole); NaN and infinities are left as they are."""
    if isinstance(value, float):
        if value == 0 or value != value or value in (float("inf"), float("-inf")):
            return value
        return round(value, max(0, digits - 1 - math.floor(math.log10(abs(value)))))
    if isinstance(value, dict):
        return {k: rounded(v, digits) for k, v in value.items()}
    if isinstance(value, list):
        return [rounded(v, digits) for v in value]
    return value


def strict(value: Any) -> Any:
    """`value` with NaN and infinities as null: strict JSON parsers reject `NaN` and `Infinity`."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: strict(v) for k, v in value.items()}
    if isinstance(value, list):
        return [strict(v) for v in value]
    return value


def echo_json(value: Any, significant_digits: int | None = None) -> None:
    """`value` as indented, strict JSON (no NaN or Infinity: null instead); with
    `significant_digits`, every float rounded to that many (`rounded`).

    Rounding is for outputs made of estimates (`select`); measurements other programs recompute
    from (bench, transcribe summaries) keep full precision.
    """
    import json

    data = to_jsonable(value)
    if significant_digits is not None:
        data = rounded(data, significant_digits)
    click.echo(json.dumps(strict(data), indent=2, ensure_ascii=False, allow_nan=False))


def echo_table(rows: Iterable[Sequence[Any]], headers: Sequence[str]) -> None:
    from tabulate import tabulate

    click.echo(tabulate(list(rows), headers=list(headers), tablefmt="simple", disable_numparse=True))


def json_option(function: Any) -> Any:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")(function)
