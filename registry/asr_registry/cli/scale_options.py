"""The options `transcribe` and `bench` share for running on a Ray cluster (no Ray import here)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import click

from asr_registry.errors import RegistryError

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class ScaleRequest:
    executor: str
    address: str | None = None
    workers: int | None = None
    gpus_per_worker: float | None = None
    shard_rows: int | None = None

    def __post_init__(self) -> None:
        if self.executor == "local":
            given = [name for name, value in (("--address", self.address), ("--workers", self.workers),
                     ("--gpus-per-worker", self.gpus_per_worker), ("--shard-rows", self.shard_rows))
                     if value is not None]  # fmt: skip
            if given:
                raise RegistryError(f"{', '.join(given)} need(s) --executor ray")

    @property
    def on_ray(self) -> bool:
        return self.executor == "ray"


def scale_options(function: F) -> F:
    options = [
        click.option("--executor", type=click.Choice(["local", "ray"]), default="local", show_default=True,
                     help="local: this process; ray: an actor pool on Ray (a local Ray, or --address)."),
        click.option("--address", help="With --executor ray: join this Ray cluster (HOST:PORT, auto, ray://...). "
                     "Default: start a local Ray."),
        click.option("--workers", type=click.IntRange(min=1),
                     help="With --executor ray: actors, one model each. Default: one per GPU, else CPUs - 1."),
        click.option("--gpus-per-worker", type=click.FloatRange(min=0),
                     help="With --executor ray: GPUs per actor. Default: 1 on a GPU cluster, else 0."),
        click.option("--shard-rows", type=click.IntRange(min=1),
                     help="With --executor ray: rows per shard (the unit of work and of resume). "
                     "Default: rows / (4 x workers), 8 to 2000."),
    ]  # fmt: skip
    for option in reversed(options):
        function = option(function)
    return function
