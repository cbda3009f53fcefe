"""Reading NeMo JSONL manifests.

A manifest is one JSON object per line with at least `audio_filepath`. Every other
field is carried through to the output untouched. Relative audio paths resolve
against the manifest's folder (not the working directory), so a manifest and its
audio can be moved together.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from asr_registry.errors import RegistryError

AUDIO_KEY = "audio_filepath"


@dataclass(frozen=True)
class ManifestItem:
    """One row of a manifest.

    `index` is the row's position among the manifest's rows (blank lines do not
    count): output rows come back in this order. `line` is the 1-based line in the
    file, kept for messages.
    """

    index: int
    line: int
    fields: Mapping[str, Any]
    audio_path: Path

    @property
    def audio_filepath(self) -> str:
        return str(self.fields.get(AUDIO_KEY, self.audio_path))


def _resolve(audio: str, base: Path) -> Path:
    path = Path(audio).expanduser()
    return path if path.is_absolute() else base / path


def parse_manifest_lines(lines: Iterable[str], source: str, base: Path) -> list[ManifestItem]:
    """Parse manifest text; `source` names the file in error messages."""
    items: list[ManifestItem] = []
    for number, raw in enumerate(lines, start=1):
        text = raw.strip()
        if not text:
            continue
        where = f"{source}:{number}"
        try:
            row = json.loads(text)
        except json.JSONDecodeError as exc:
            raise RegistryError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})") from None
        if not isinstance(row, dict):
            raise RegistryError(f"{where}: expected a JSON object, got {type(row).__name__}")
        audio = row.get(AUDIO_KEY)
        if not isinstance(audio, str) or not audio.strip():
            raise RegistryError(f"{where}: missing '{AUDIO_KEY}' (a non-empty string)")
        # MappingProxyType keeps the frozen dataclass honest: rows are read-only.
        items.append(ManifestItem(len(items), number, MappingProxyType(row), _resolve(audio, base)))
    return items


def read_manifest(path: str | Path) -> list[ManifestItem]:
    """All rows of a JSONL manifest; a malformed line is a RegistryError naming file:line."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RegistryError(f"manifest not found: {file}") from None
    except UnicodeDecodeError as exc:
        raise RegistryError(f"{file}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise RegistryError(f"cannot read manifest {file}: {exc.strerror or exc}") from None
    return parse_manifest_lines(text.splitlines(), str(file), file.resolve().parent)


def items_from_paths(paths: Sequence[str | Path]) -> list[ManifestItem]:
    """Wrap plain audio paths as manifest rows (library callers, the bench)."""
    items = []
    for index, path in enumerate(paths):
        resolved = Path(path).expanduser().resolve()
        items.append(ManifestItem(index, index + 1, MappingProxyType({AUDIO_KEY: str(path)}), resolved))
    return items


def default_output_path(manifest: str | Path, model: str) -> Path:
    """`DIR/STEM.MODEL.pred.jsonl` beside the manifest.

    The model name is part of it so that runs of two models over one manifest do
    not overwrite each other; anything but letters, digits, '.', '_' and '-' (HF-style '/',
    an ensemble's 'ensemble:rover(a,b)') becomes '_'.
    """
    file = Path(manifest)
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", model).strip("_")
    stem = file.name[: -len(file.suffix)] if file.suffix in (".json", ".jsonl") else file.name
    return file.with_name(f"{stem}.{safe}.pred.jsonl")
