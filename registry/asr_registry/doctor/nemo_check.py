"""Cross-check the catalog against the NGC model list compiled into NeMo (offline).

Imports NeMo (~10 s), so only `validate` calls it, and only when NeMo is installed.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from dataclasses import dataclass

from asr_registry.catalog.schema import Catalog, Exclusion


@dataclass(frozen=True)
class NemoCrossCheck:
    nemo_version: str
    known_to_nemo: int
    unknown_to_nemo: tuple[str, ...]  # published catalog entries with an NGC name NeMo lacks
    missing_from_catalog: tuple[str, ...]  # NeMo ASR models the catalog neither lists nor excludes
    excluded: tuple[str, ...] = ()  # NeMo names the catalog's [excluded] table explains


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


def cross_check(catalog: Catalog, excluded: Mapping[str, Exclusion] | None = None) -> NemoCrossCheck:
    """`excluded` defaults to the catalog's own exclusion list (a plugin-merged catalog has none)."""
    excluded = catalog.excluded if excluded is None else excluded
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
    missing = sorted(nemo_names - catalog_names - set(excluded))
    explained = sorted(nemo_names & set(excluded))
    return NemoCrossCheck(version, len(nemo_names), tuple(sorted(unknown)), tuple(missing), tuple(explained))
