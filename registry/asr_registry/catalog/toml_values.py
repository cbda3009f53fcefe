"""Converters from raw TOML values to typed fields: each returns the value or raises `Invalid` saying why.

The catalog reader (`catalog.py`) turns an `Invalid` into a `file:line: field: message` problem.
"""

from __future__ import annotations

import math
from typing import Any

# Bounds on claimed figures: a batch of a million files or a 100 TB GPU is a typo, not a claim.
MAX_BATCH_SIZE = 65_536
MAX_GPU_MEMORY_GB = 4_096


class Invalid(Exception):
    """Raised inside a field conversion; caught by the reader and turned into a Problem."""


def string(value: Any) -> str:
    if not isinstance(value, str):
        raise Invalid(f"expected a string, got {kind(value)}")
    return value


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Invalid(f"expected true or false, got {kind(value)}")
    return value


def positive_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"expected an integer, got {kind(value)}")
    if value <= 0:
        raise Invalid(f"must be positive, got {value}")
    return value


def number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Invalid(f"expected a number, got {kind(value)}")
    if not math.isfinite(value):
        raise Invalid(f"must be finite, got {value}")
    return float(value)


def positive_number(value: Any) -> float:
    result = number(value)
    if result <= 0:
        raise Invalid(f"must be positive, got {value}")
    return result


def strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Invalid(f"expected a list of strings, got {kind(value)}")
    return tuple(value)


def positive_ints(value: Any) -> tuple[int, ...]:
    if not isinstance(value, list):
        raise Invalid(f"expected a list of integers, got {kind(value)}")
    return tuple(positive_int(v) for v in value)


def context_sizes(value: Any) -> tuple[tuple[int, int], ...]:
    """[[left, right], ...]: attention context in encoder frames; -1 means unlimited."""
    shape = "expected a list of [left, right] pairs, e.g. [[70, 13], [70, 6]]"
    if not isinstance(value, list):
        raise Invalid(f"{shape}, got {kind(value)}")
    pairs = []
    for pair in value:
        if not (isinstance(pair, list) and len(pair) == 2 and all(type(v) is int and v >= -1 for v in pair)):
            raise Invalid(shape)
        pairs.append((pair[0], pair[1]))
    return tuple(pairs)


def delays(value: Any) -> tuple[tuple[str, float], ...]:
    """{decoder = seconds, ...}: how late a decoder's timestamps come, within a second either way."""
    found = []
    for decoder, seconds in table(value).items():
        delay = number(seconds)
        if abs(delay) > 1.0:
            raise Invalid(f"{decoder}: {delay:g} s is not a plausible emission delay (within 1 s either way)")
        found.append((decoder, delay))
    return tuple(found)


def range_of(value: Any) -> tuple[float, float]:
    if not isinstance(value, list) or len(value) != 2:
        raise Invalid("expected [low, high]")
    low, high = number(value[0]), number(value[1])
    if low > high:
        raise Invalid(f"low {low:g} is above high {high:g}")
    return low, high


def batch_sizes(value: Any) -> dict[int, int]:
    if not isinstance(value, dict):
        raise Invalid(f'expected a table like {{ "16" = 32 }}, got {kind(value)}')
    sizes: dict[int, int] = {}
    for key, size in value.items():
        try:
            gigabytes = int(key)
        except ValueError:
            raise Invalid(f"key '{key}' is not a GPU memory size in GB") from None
        if gigabytes <= 0:
            raise Invalid(f"GPU memory '{key}' must be positive")
        if gigabytes > MAX_GPU_MEMORY_GB:
            raise Invalid(f"GPU memory '{key}' GB is more than any GPU has (at most {MAX_GPU_MEMORY_GB})")
        sizes[gigabytes] = batch_size(size)
    return sizes


def batch_size(value: Any) -> int:
    """A positive batch size no larger than `MAX_BATCH_SIZE`."""
    size = positive_int(value)
    if size > MAX_BATCH_SIZE:
        raise Invalid(f"batch size {size} is not plausible (at most {MAX_BATCH_SIZE})")
    return size


def kind(value: Any) -> str:
    names = {str: "a string", bool: "a boolean", int: "an integer", float: "a number", list: "a list", dict: "a table"}
    return names.get(type(value), type(value).__name__)


def table(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Invalid(f"expected a table, got {kind(value)}")
    return value
