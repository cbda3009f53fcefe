"""`asr-registry validate [FILE]`: one catalog file's problems, and for the installed catalog also
the plugins' entries, the architecture specs and NeMo's own model list.

The plugin-merged catalog is handed in (`merged`): this module sits below the plugin system.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from asr_registry.errors import RegistryError

if TYPE_CHECKING:
    from asr_registry.catalog.schema import Catalog
    from asr_registry.doctor.nemo_check import NemoCrossCheck


@dataclass(frozen=True)
class CatalogCheck:
    file: str
    models: int  # entries in the file
    with_plugins: int  # entries once plugins are merged in (the file's count for a FILE argument)
    problems: list[str] = field(default_factory=list)
    nemo: NemoCrossCheck | None = None  # the cross-check against NeMo's list, when it ran
    whole: bool = True  # the installed catalog (so "NeMo lists models the catalog lacks" means something)
    # With `strict`: per claim condition, claims missing it and claims declaring it unstated,
    # and the lines listing each claim whose conditions stay unstated.
    unstated: dict[str, dict[str, int]] = field(default_factory=dict)
    strict_notes: list[str] = field(default_factory=list)


def check_catalog(
    path: Path, merged: Callable[[], Catalog] | None, use_nemo: bool | None, *, strict: bool = False
) -> CatalogCheck:
    """Problems of catalog file `path`; `merged` (the installed catalog with plugins) for the whole catalog.

    `strict`: a claim missing a condition it needs is a problem; one declared unstated is listed.
    `use_nemo` None: cross-check NGC names when NeMo is installed and `path` is the whole installed
    catalog (and otherwise clean). A plugin's own file is checked alone: importing NeMo costs ~10 s,
    and "NeMo lists models this file lacks" says nothing about a file meant to hold a few models.
    """
    from asr_registry.catalog.validation import validate_file
    from asr_registry.doctor.nemo_check import cross_check, nemo_installed

    if not path.is_file():
        raise RegistryError(f"{path}: no such file")
    catalog, found = validate_file(path)
    problems = [str(p) for p in found]
    in_file = len(catalog.models)
    excluded = catalog.excluded  # the file's own: the plugin-merged catalog carries none
    own = catalog  # `--strict` speaks for this file; a plugin's claims are its own file's to state
    if merged is not None:
        if not problems:
            catalog = merged()  # plugins too: duplicates and bad entries surface here
        # the architecture specs (architectures.toml) are keyed by built-in catalog names
        from asr_registry.shadow.specs import check_against_catalog, load

        problems += check_against_catalog(load(), catalog.models, set(catalog.sources))
    nemo = None
    whole = merged is not None
    if ((whole and nemo_installed()) if use_nemo is None else use_nemo) and not problems:
        if not nemo_installed():
            raise RegistryError("--nemo: NeMo is not installed (pip install 'asr-registry[engine]')")
        nemo = cross_check(catalog, excluded)
        problems += [
            f"{path.name}: models.{n}: published with an NGC name that NeMo {nemo.nemo_version} does not list"
            for n in nemo.unknown_to_nemo
        ]
    unstated: dict[str, dict[str, int]] = {}
    notes: list[str] = []
    if strict:
        from asr_registry.catalog.validation import condition_gaps, strict_lines

        gaps = condition_gaps(own)
        problems += [f"{path.name}: {g.where}: conditions missing: {', '.join(g.missing)}" for g in gaps if g.missing]
        unstated, notes = strict_lines(gaps)
    return CatalogCheck(str(path), in_file, len(catalog.models), problems, nemo, whole, unstated, notes)
