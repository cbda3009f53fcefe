"""Number options that are numbers: finite, inside a sane range, or a one-line usage error.

`click.FloatRange` lets NaN through (every comparison with NaN is false) and accepts infinity
and 1e308, which then end in a traceback or in `Infinity` in JSON output. Every float option of
the CLI uses `Finite` instead.
"""

from __future__ import annotations

import math
from typing import Any

import click


class Finite(click.ParamType):
    """A finite float in [low, high] (`low_open`: strictly above low)."""

    name = "number"

    def __init__(self, low: float, high: float, *, low_open: bool = False) -> None:
        self.low, self.high, self.low_open = low, high, low_open

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number", param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        below = number <= self.low if self.low_open else number < self.low
        if below or number > self.high:
            bound = "above" if self.low_open else "at least"
            self.fail(
                f"{number:g} is out of range: give a number {bound} {self.low:g} and at most {self.high:g}", param, ctx
            )
        return number

    def __repr__(self) -> str:
        return f"Finite({self.low:g}, {self.high:g})"


# The ranges the options share, named once.
GPU_MEMORY_GB = Finite(0, 1024, low_open=True)  # the largest GPUs hold 0.2 TB; 1 TB leaves room
AUDIO_SECONDS = Finite(0, 24 * 3600, low_open=True)  # one utterance or chunk: at most a day
OVERLAP_SECONDS = Finite(0, 3600)
HOURS = Finite(0, 1e7)  # ten million hours of audio: beyond every public corpus combined
PRICE_PER_HOUR = Finite(0, 1e4)
GPUS = Finite(0, 64)
