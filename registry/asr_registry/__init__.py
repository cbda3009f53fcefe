"""asr-registry: choose, run and check NVIDIA NeMo ASR models.

The front door: every public name, importable from here (`from asr_registry import Engine`),
documented with an example in docs/api.md. Anything not listed in `__all__` is internal and
may change without notice.

Importing this package stays cheap: each name is imported from its module the first time it
is used (PEP 562), so `import asr_registry` imports neither torch nor NeMo, nor even the
catalog; the version is looked up only when asked for (importlib.metadata costs ~30 ms).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

# public name -> the module that defines it
_EXPORTS: dict[str, str] = {
    # errors a user can fix
    "RegistryError": "asr_registry.errors",
    "CatalogError": "asr_registry.errors",
    "ModelNotFoundError": "asr_registry.errors",
    # the catalog
    "get_catalog": "asr_registry.plugins.manager",
    "get_datasets": "asr_registry.plugins.manager",
    "Catalog": "asr_registry.catalog.schema",
    "ModelEntry": "asr_registry.catalog.schema",
    "ModelSource": "asr_registry.catalog.schema",
    "Claim": "asr_registry.catalog.schema",
    "Source": "asr_registry.catalog.schema",
    "Resources": "asr_registry.catalog.schema",
    "Dataset": "asr_registry.catalog.schema",
    # choosing a model
    "select": "asr_registry.selection.ranking",
    "Request": "asr_registry.selection.ranking",
    "Selection": "asr_registry.selection.ranking",
    # running one
    "Engine": "asr_registry.engine.runner",
    "EngineOptions": "asr_registry.engine.options",
    "PromptOptions": "asr_registry.engine.prompts",
    "Skip": "asr_registry.engine.values",
    "Hardware": "asr_registry.sizing.hardware",
    "Result": "asr_registry.engine.runner",
    "RunSummary": "asr_registry.engine.runner",
    "run_manifest": "asr_registry.engine.manifest_run",
    # checking claims
    "check_claims": "asr_registry.bench.claims",
    "Measurement": "asr_registry.bench.claims",
    "Verdict": "asr_registry.bench.claims",
    # writing a plugin
    "hookimpl": "asr_registry.plugins.hookspecs",
    "register_catalog_file": "asr_registry.plugins.catalog_files",
    "Combined": "asr_registry.ensemble.combiners",
    "CombinerError": "asr_registry.ensemble.combiners",
    "MemberHypothesis": "asr_registry.ensemble.combiners",
    "combined_from": "asr_registry.ensemble.combiners",
    "require_hypotheses": "asr_registry.ensemble.combiners",
}

__all__ = [
    "Catalog",
    "CatalogError",
    "Claim",
    "Combined",
    "CombinerError",
    "Dataset",
    "Engine",
    "EngineOptions",
    "Hardware",
    "Measurement",
    "MemberHypothesis",
    "ModelEntry",
    "ModelNotFoundError",
    "ModelSource",
    "PromptOptions",
    "RegistryError",
    "Request",
    "Resources",
    "Result",
    "RunSummary",
    "Selection",
    "Skip",
    "Source",
    "Verdict",
    "__version__",
    "check_claims",
    "combined_from",
    "get_catalog",
    "get_datasets",
    "hookimpl",
    "register_catalog_file",
    "require_hypotheses",
    "run_manifest",
    "select",
]

if TYPE_CHECKING:  # what type checkers and editors see; nothing of it runs
    from asr_registry.bench.claims import Measurement, Verdict, check_claims
    from asr_registry.catalog.schema import Catalog, Claim, Dataset, ModelEntry, ModelSource, Resources, Source
    from asr_registry.engine.manifest_run import run_manifest
    from asr_registry.engine.options import EngineOptions
    from asr_registry.engine.prompts import PromptOptions
    from asr_registry.engine.runner import Engine, Result, RunSummary
    from asr_registry.engine.values import Skip
    from asr_registry.ensemble.combiners import (
        Combined,
        CombinerError,
        MemberHypothesis,
        combined_from,
        require_hypotheses,
    )
    from asr_registry.errors import CatalogError, ModelNotFoundError, RegistryError
    from asr_registry.plugins.catalog_files import register_catalog_file
    from asr_registry.plugins.hookspecs import hookimpl
    from asr_registry.plugins.manager import get_catalog, get_datasets
    from asr_registry.selection.ranking import Request, Selection, select
    from asr_registry.sizing.hardware import Hardware

    __version__: str


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from asr_registry.errors import package_version

        return package_version()
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'asr_registry' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # the next lookup is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
