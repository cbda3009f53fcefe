"""The options `transcribe` and `bench` share for running on a Ray cluster, handed in as one
`scale: asr_registry.scale.request.ScaleRequest` (no Ray import here)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from asr_registry.cli import params
from asr_registry.cli.option_groups import option_group

F = TypeVar("F", bound=Callable[..., Any])


def _request(**values: Any) -> Any:
    from asr_registry.scale.request import ScaleRequest

    return ScaleRequest(**values)


def scale_options(function: F) -> F:
    return option_group(
        "scale",
        _request,
        click.option(
            "--executor",
            type=click.Choice(["local", "ray"]),
            default="local",
            show_default=True,
            help="local: this process; ray: an actor pool on Ray (a local Ray, or --address).",
        ),
        click.option(
            "--address",
            help="With --executor ray: join this Ray cluster (HOST:PORT, auto, ray://...). Default: start a local Ray.",
        ),
        click.option(
            "--workers",
            type=click.IntRange(min=1),
            help="With --executor ray: actors, one model each. Default: one per GPU, else CPUs - 1.",
        ),
        click.option(
            "--gpus-per-worker",
            type=params.GPUS,
            help="With --executor ray: GPUs per actor. Default: 1 on a GPU cluster, else 0.",
        ),
        click.option(
            "--shard-rows",
            type=click.IntRange(min=1),
            help="With --executor ray: rows per shard (the unit of work and of resume). "
            "Default: rows / (4 x workers), 8 to 2000.",
        ),
    )(function)
