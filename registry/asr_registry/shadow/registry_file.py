"""Saved shadows as catalog entries, so the engine, bench and ensembles load them like local models.

`asr-registry shadow NAME --save PATH.nemo` writes one catalog file per shadow into the shadow
folder (`$ASR_REGISTRY_SHADOWS`, default `~/.cache/asr-registry/shadows`): an entry
`NAME-shadow` with status "shadow", the .nemo's absolute path and sha256, the real model's
family, decoders and languages, and no claims. The default plugin `SavedShadows`
(asr_registry.plugins.defaults) registers every such file. Status "shadow" is never "published": `select` never recommends
one and no WER claim is ever checked on it. Reading the folder needs neither torch nor NeMo.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

from asr_registry.catalog.schema import ModelEntry

if TYPE_CHECKING:
    from pathlib import Path

SHADOWS_ENV = "ASR_REGISTRY_SHADOWS"
SHADOW_SOURCE = "asr-registry-shadow"


def shadows_dir() -> str:
    # Plain strings: this runs on every CLI start, where pathlib's import costs milliseconds.
    folder = os.environ.get(SHADOWS_ENV)
    if folder:
        return os.path.expanduser(folder)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "asr-registry", "shadows")


def shadow_name(model: str) -> str:
    return f"{model}-shadow"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a valid TOML basic string


def write_entry(entry: ModelEntry, nemo_path: Path, report: dict[str, Any]) -> Path:
    """Write (atomically) the catalog file for a saved shadow of `entry`; returns its path."""
    from asr_registry.catalog.checksums import file_sha256

    path = nemo_path.resolve()
    name = shadow_name(entry.name)
    note = (
        f"SHADOW of {entry.name}: {report['class']} built from {report['config']} with random weights "
        f"({report['parameters']:,} parameters). For memory and speed only; its transcripts are noise."
    )
    fields: dict[str, Any] = {
        "status": "shadow",
        "architecture": entry.architecture or "fastconformer",
        "family": entry.family,
        "decoders": list(entry.decoders),
        "size": entry.size,
        "parameters": report["parameters"],
        "languages": list(entry.languages),
        "precision": entry.precision,
        "sample_rate": entry.sample_rate,
        "notes": note,
    }
    lines = [
        "# Written by `asr-registry shadow`; delete this file to forget the shadow.",
        "schema_version = 1",
        "",
        f"[sources.{SHADOW_SOURCE}]",
        'title = "Shadow model built by asr-registry from a published NeMo config (random weights)"',
        'date = "2026-12"',
        "",
        f'[models."{name}"]',
        f"source = {{ path = {_toml_value(str(path))}, sha256 = {_toml_value(file_sha256(path))} }}",
        *(f"{key} = {_toml_value(value)}" for key, value in fields.items()),
        "",
    ]
    from pathlib import Path

    folder = Path(shadows_dir())
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}.toml"
    partial = target.with_name(f".{target.name}.partial{os.getpid()}")
    partial.write_text("\n".join(lines), encoding="utf-8")
    partial.replace(target)
    return target
