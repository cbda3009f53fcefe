"""Where a transcription or bench runs: this process, or an actor pool on Ray (no Ray import here)."""

from __future__ import annotations

from dataclasses import dataclass

from asr_registry.errors import RegistryError


@dataclass(frozen=True)
class ScaleRequest:
    executor: str = "local"  # "local" or "ray"
    address: str | None = None
    workers: int | None = None
    gpus_per_worker: float | None = None
    shard_rows: int | None = None

    def __post_init__(self) -> None:
        if self.executor == "local":
            given = [
                name
                for name, value in (
                    ("--address", self.address),
                    ("--workers", self.workers),
                    ("--gpus-per-worker", self.gpus_per_worker),
                    ("--shard-rows", self.shard_rows),
                )
                if value is not None
            ]
            if given:
                raise RegistryError(f"{', '.join(given)} need(s) --executor ray")

    @property
    def on_ray(self) -> bool:
        return self.executor == "ray"
