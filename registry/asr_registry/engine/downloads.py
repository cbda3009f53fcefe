"""`asr-registry cache NAME...`: put several models' checkpoints in the cache, one failure not stopping the rest."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from asr_registry.errors import RegistryError

if TYPE_CHECKING:
    from asr_registry.catalog.schema import ModelEntry
    from asr_registry.engine.loading import CachedModel


@dataclass(frozen=True)
class Downloads:
    done: list[CachedModel] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # one line per model that could not be cached

    def raise_failures(self, asked: int) -> None:
        """One error for the whole run: the model's own for one model, a count for several."""
        if self.failures:
            if asked == 1:
                raise RegistryError(self.failures[0])
            raise RegistryError(f"{len(self.failures)} of {asked} models could not be cached")


def download_all(
    entries: Sequence[ModelEntry],
    cache_dir: str | Path | None = None,
    *,
    on_done: Callable[[CachedModel], None] | None = None,
    on_failure: Callable[[str], None] | None = None,
) -> Downloads:
    """Download each entry's checkpoint (see `loading.download`); `on_done`/`on_failure` report as it goes."""
    from asr_registry.engine.loading import download

    result = Downloads()
    for entry in entries:
        try:
            item = download(entry, cache_dir)
        except RegistryError as exc:
            result.failures.append(str(exc))
            if on_failure is not None:
                on_failure(str(exc))
            continue
        result.done.append(item)
        if on_done is not None:
            on_done(item)
    return result
