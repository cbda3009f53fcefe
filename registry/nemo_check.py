"""Cross-check the catalog against the NGC model list compiled into NeMo (offline).

Imports NeMo (~10 s), so only `validate` calls it, and only when NeMo is installed.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass

from asr_registry.schema import Catalog


@dataclass(frozen=True)
class NemoCrossCheck:
    nemo_version: str
    known_to_nemo: int
    unknown_to_nemo: tuple[str, ...]  # published catalog entries with an NGC name NeMo lacks
    missing_from_catalog: tuple[str, ...]  # NeMo ASR models the catalog does not list


def nemo_installed() -> bool:
    return importlib.util.find_spec("nemo") is not None


def nemo_asr_model_names() -> tuple[str, str]:
    """(version, newline-joined names) of every model `ASRModel.list_available_models()` lists."""
    import nemo

    from asr_registry.engine.loading import quiet_nemo

    quiet_nemo()
    from nemo.collections.asr.models import ASRModel

    names = sorted({info.pretrained_model_name for info in ASRModel.list_available_models() or []})
    return nemo.__version__, "\n".join(names)


def cross_check(catalog: Catalog) -> NemoCrossCheck:
    version, joined = nemo_asr_model_names()
    nemo_names = set(joined.split("\n")) if joined else set()
    catalog_names: set[str] = set()
    unknown = []
    for entry in catalog.models.values():
        for name in (entry.source.ngc, entry.name):
            if name:
                catalog_names.add(name)
        if entry.published and entry.source.ngc and entry.source.ngc not in nemo_names:
            unknown.append(entry.name)
    missing = sorted(nemo_names - catalog_names)
    return NemoCrossCheck(version, len(nemo_names), tuple(sorted(unknown)), tuple(missing))
