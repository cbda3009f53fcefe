"""The default plugins, all in one place: what asr-registry itself contributes through the same
hooks a third-party plugin implements.

- `BuiltinCatalog`: the catalog shipped with the package (`catalog/models.toml`);
- `SavedShadows`: shadows saved with `asr-registry shadow NAME --save` (one catalog file each in
  the shadow folder), so the engine, bench and ensembles load them like local models;
- `BuiltinCombiners`: the ensemble combiners rover, majority and best-confidence.

They are registered before any installed plugin, so they come first in every hook's order.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from asr_registry.plugins.hookspecs import hookimpl


class BuiltinCatalog:
    @hookimpl
    def register_models(self, register: Callable[..., None]) -> None:
        from asr_registry.plugins.catalog_files import builtin_file

        catalog = builtin_file()
        for entry in catalog.models.values():
            register(entry, catalog.sources)


class SavedShadows:
    @hookimpl
    def register_models(self, register: Callable[..., None]) -> None:
        # Reading the folder needs neither torch nor NeMo; this runs on every CLI start.
        from asr_registry.shadow.registry_file import shadows_dir

        folder = shadows_dir()
        if not os.path.isdir(folder):
            return
        from asr_registry.plugins.catalog_files import register_catalog_file, warn

        for path in sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith("-shadow.toml")):
            try:
                register_catalog_file(register, path)
            except Exception as exc:  # one stale file must not hide the others
                warn(f"shadow catalog {path}: {exc}; skipped")


class BuiltinCombiners:
    @hookimpl
    def register_combiners(self, register: Callable[..., None]) -> None:
        # Imported here, not at module level: every CLI start loads the default plugins.
        from asr_registry.ensemble.rover import Rover
        from asr_registry.ensemble.voting import BestConfidence, MajorityVote

        register(
            "rover",
            Rover,
            "ROVER (Fiscus 1997): align the members' words into a word transition network and vote per "
            "position; method=freq|avgconf|maxconf, alpha (weight of frequency vs confidence), null_conf",
        )
        register(
            "majority", MajorityVote, "the transcript most members produced exactly; ties go to the earliest member"
        )
        register(
            "best-confidence",
            BestConfidence,
            "the transcript of the member with the highest mean word confidence (members without confidences skipped)",
        )


# (plugin name, plugin object), in the order they are registered and called.
DEFAULT_PLUGINS: tuple[tuple[str, object], ...] = (
    ("builtin-catalog", BuiltinCatalog()),
    ("saved-shadows", SavedShadows()),
    ("builtin-combiners", BuiltinCombiners()),
)
