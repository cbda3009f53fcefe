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

        # Not in the catalog: the engine learns the model's kind (CTC, RNNT, hybrid) from
        # the checkpoint itself; the family given here only decides the decoder default.
        entry = ModelEntry(
            name=path.stem, status="published", source=ModelSource(path=str(path), sha256=file_sha256(path)),
            family="ctc", decoders=("ctc",), size="medium", languages=(), plugin="local file",
        )  # fmt: skip
        return ResolvedModel(entry, None)
    from asr_registry.engine.loading import require_published
    from asr_registry.plugins.manager import get_catalog

    catalog = get_catalog()
    entry = catalog.find(model)
    require_published(entry)
    tier = catalog.tiers.get(entry.size)
    return ResolvedModel(entry, tier.resources if tier is not None else None)
