"""Reading NeMo JSONL manifests.

A manifest is one JSON object per line with at least `audio_filepath`. Every other
field is carried through to the output untouched. Relative audio paths resolve
against the manifest's folder (not the working directory), so a manifest and its
audio can be moved together.
"""

from __future__ import annotations

import json
import os
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


# JSON's whitespace (RFC 8259): U+2028, U+2029 and U+0085 are not, they are text inside strings.
JSON_WHITESPACE = " \t\r\n"
_SURROGATE = re.compile("[\ud800-\udfff]")


def json_lines(text: str) -> list[str]:
    """Split JSONL text into lines on '\n' alone (JSONL's separator).

    `str.splitlines` also splits on U+2028, U+2029, U+0085 and more, which may stand raw
    inside a JSON string: a valid row would be cut in two.
    """
    lines = text.split("\n")
    return lines[:-1] if lines and lines[-1] == "" else lines


def dumps_line(record: Any) -> str:
    """One JSON line (no newline), non-ASCII text kept readable, valid for any Python text.

    A lone surrogate (valid JSON as `"\\ud83d"`, read back as such by `json.loads`) cannot be
    encoded as UTF-8; it is written as its JSON escape, so the row survives the round trip.
    """
    text = json.dumps(record, ensure_ascii=False)
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def encode_line(record: Any) -> bytes:
    """`dumps_line` as UTF-8 bytes with the newline: what journals and outputs write."""
    return dumps_line(record).encode("utf-8") + b"\n"


def decode_lines(data: bytes, source: str) -> list[str]:
    """UTF-8 bytes as JSONL lines; a line that is not UTF-8 is an error naming the line."""
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    texts = []
    for number, raw in enumerate(lines, start=1):
        try:
            texts.append(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            byte = raw[exc.start : exc.start + 1].hex()
            raise RegistryError(
                f"{source}:{number}: not UTF-8 text (byte 0x{byte} at column {exc.start + 1}); "
                "save the manifest as UTF-8"
            ) from None
    if texts and texts[0].startswith("\ufeff"):
        texts[0] = texts[0][1:]  # a byte-order mark some editors write
    return texts


def _path_problem(audio: str) -> str | None:
    """Why a text cannot name a file on this system (a lone surrogate, a NUL byte), else None."""
    if "\0" in audio:
        return "contains a NUL character"
    try:
        os.fsencode(audio)
    except UnicodeEncodeError as exc:
        return f"contains U+{ord(audio[exc.start]):04X}, which no file name can hold"
    return None


def parse_manifest_lines(lines: Iterable[str], source: str, base: Path) -> list[ManifestItem]:
    """Parse manifest lines (split on '\n' only, see `json_lines`); `source` names the file in errors."""
    items: list[ManifestItem] = []
    for number, raw in enumerate(lines, start=1):
        text = raw.strip(JSON_WHITESPACE)
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
        problem = _path_problem(audio)
        if problem is not None:
            raise RegistryError(f"{where}: '{AUDIO_KEY}' {problem}")
        # MappingProxyType keeps the frozen dataclass honest: rows are read-only.
        items.append(ManifestItem(len(items), number, MappingProxyType(row), _resolve(audio, base)))
    return items


def read_manifest(path: str | Path) -> list[ManifestItem]:
    """All rows of a JSONL manifest; a malformed line is a RegistryError naming file:line."""
    file = Path(path)
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise RegistryError(f"manifest not found: {file}") from None
    except OSError as exc:
        raise RegistryError(f"cannot read manifest {file}: {exc.strerror or exc}") from None
    return parse_manifest_lines(decode_lines(data, str(file)), str(file), file.resolve().parent)


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
