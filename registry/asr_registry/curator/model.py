"""A catalog model, or a local `.nemo` the catalog does not list, as an engine entry."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from asr_registry.catalog.schema import ModelEntry, ModelSource, Resources
from asr_registry.errors import RegistryError


@dataclass(frozen=True)
class ResolvedModel:
    entry: ModelEntry
    tier: Resources | None  # the size tier's generic figures, when the catalog has them


def resolve_model(model: str) -> ResolvedModel:
    """`model` is a catalog name or a path to a `.nemo` file (checked by its own sha256)."""
    if model.endswith(".nemo"):
        path = Path(model).expanduser().resolve()
        if not path.is_file():
            raise RegistryError(f"model file not found: {path}")
        from asr_registry.catalog.checksums import file_sha256

        # Not in the catalog: no family is declared, so the engine takes the family (CTC, RNNT,
        # hybrid, ...) of the loaded checkpoint itself (`engine.families.family_class`).
        entry = ModelEntry(
            name=path.stem,
            status="published",
            source=ModelSource(path=str(path), sha256=file_sha256(path)),
            family="",
            decoders=("ctc",),
            size="medium",
            languages=(),
            plugin="local file",
        )
        return ResolvedModel(entry, None)
    from asr_registry.engine.loading import require_published
    from asr_registry.plugins.manager import get_catalog

    catalog = get_catalog()
    entry = catalog.find(model)
    require_published(entry)
    tier = catalog.tiers.get(entry.size)
    return ResolvedModel(entry, tier.resources if tier is not None else None)
