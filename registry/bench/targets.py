"""Which models to bench on which data, when the user names less than everything."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from asr_registry.errors import RegistryError
from asr_registry.schema import Catalog, Dataset, ModelEntry


def claimed_datasets(entry: ModelEntry, datasets: Mapping[str, Dataset]) -> list[Dataset]:
    """Registered datasets the model's claims are about, in claim order."""
    found: list[Dataset] = []
    for claim in entry.claims:
        for dataset in datasets.values():
            matches = dataset.name == claim.dataset and (not claim.split or claim.split == dataset.split)
            if matches and dataset not in found:
                found.append(dataset)
    return found


def default_models(catalog: Catalog, datasets: Mapping[str, Dataset]) -> list[ModelEntry]:
    """Published local models with claims on data that is here: the bundled ones."""
    return [
        entry for entry in catalog.models.values()
        if entry.published and entry.source.path and claimed_datasets(entry, datasets)
    ]  # fmt: skip


def manifest_dataset(manifest: Path, name: str | None, language: str) -> Dataset:
    """A user manifest as a dataset; `name` may be 'dataset' or 'dataset:split' to match claims."""
    if not manifest.is_file():
        raise RegistryError(f"--manifest {manifest}: no such file")
    label = name or manifest.stem
    dataset, _, split = label.partition(":")
    return Dataset(name=dataset, split=split, manifest=str(manifest), language=language, description="--manifest")


def plan(catalog: Catalog, datasets: Mapping[str, Dataset], names: Sequence[str],
         manifest: Dataset | None) -> list[tuple[ModelEntry, list[Dataset]]]:  # fmt: skip
    """(model, datasets) pairs to run; an error when some model would have nothing to run on."""
    entries = [catalog.find(name) for name in names] if names else default_models(catalog, datasets)
    if not entries:
        raise RegistryError("no bundled model with local test data is installed; name a model and pass --manifest")
    pairs = []
    for entry in entries:
        if not entry.published:
            raise RegistryError(
                f"{entry.name} is unverified (not published); bench one of: {', '.join(entry.substitutes)}"
            )
        chosen = [manifest] if manifest else claimed_datasets(entry, datasets)
        if not chosen:
            raise RegistryError(
                f"no local data to bench {entry.name} on: pass --manifest FILE (with 'text' references)"
            )
        pairs.append((entry, chosen))
    return pairs
