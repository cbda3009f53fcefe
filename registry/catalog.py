"""Read a catalog TOML file into typed entries, reporting every problem with file:line: field.

Two layers: this module checks structure (types, unknown keys, required fields) while
building dataclasses; `validation.py` checks meaning on the dataclasses, so entries that
plugins build in Python get the same checks as entries read from TOML.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from asr_registry.schema import Claim, ModelEntry, ModelSource, Resources, Source, Tier


@dataclass(frozen=True)
class Problem:
    """One finding: where (file, line, dotted field path) and what."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


@dataclass
class ParsedFile:
    models: dict[str, ModelEntry] = field(default_factory=dict)
    # Entries with structural problems, fields defaulted, kept so `validate` can report
    # their other problems too; never used for anything else.
    partial: dict[str, ModelEntry] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    tiers: dict[str, Tier] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


class _Invalid(Exception):
    """Raised inside a field conversion; caught and turned into a Problem."""


_TOP_KEYS = {"schema_version", "sources", "tiers", "models"}
_SOURCE_KEYS = {"title", "date", "url"}
_MODEL_SOURCE_KEYS = {f.name for f in fields(ModelSource)}
_RESOURCE_KEYS = {"min_gpu_memory_gb", "cpus", "batch_size", "source"}
_CLAIM_KEYS = {f.name for f in fields(Claim)}
_TIER_KEYS = {"resources", "claims", "description"}
_INTERNAL_MODEL_FIELDS = {"name", "plugin", "base_dir"}
_MODEL_KEYS = {f.name for f in fields(ModelEntry)} - _INTERNAL_MODEL_FIELDS
_REQUIRED_MODEL_KEYS = ("status", "source", "family", "decoders", "size", "languages")


class LineIndex:
    """Finds the line a dotted path was written on, for error messages.

    tomllib keeps no positions, so this scans the text for table headers and keys.
    It is a best effort: when it cannot tell, the message carries no line number.
    """

    _HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?")
    _KEY = re.compile(r'^\s*("[^"]*"|[A-Za-z0-9_-]+)\s*=')

    def __init__(self, text: str) -> None:
        self.headers: list[tuple[int, tuple[str, ...], bool]] = []
        self.keys: list[tuple[int, str]] = []
        for number, raw in enumerate(text.splitlines(), start=1):
            header = self._HEADER.match(raw)
            if header:
                parts = tuple(p.strip().strip('"') for p in _split_dotted(header.group(1)))
                self.headers.append((number, parts, raw.lstrip().startswith("[[")))
                continue
            key = self._KEY.match(raw)
            if key:
                self.keys.append((number, key.group(1).strip('"')))
        self.lines = text.splitlines()

    @classmethod
    def for_file(cls, path: str | Path) -> LineIndex | None:
        try:
            return cls(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            return None

    def _table_span(self, table: tuple[str, ...], occurrence: int = 0) -> tuple[int, int] | None:
        matches = [i for i, (_, parts, _) in enumerate(self.headers) if parts == table]
        if len(matches) <= occurrence:
            return None
        index = matches[occurrence]
        start = self.headers[index][0]
        end = self.headers[index + 1][0] if index + 1 < len(self.headers) else len(self.lines) + 1
        return start, end

    def find(self, path: tuple[str | int, ...]) -> int | None:
        # Try the longest table prefix that exists as a header, then the key inside it.
        for cut in range(len(path), 0, -1):
            prefix = path[:cut]
            if any(isinstance(p, int) for p in prefix[:-1]):
                continue
            occurrence = prefix[-1] if isinstance(prefix[-1], int) else 0
            table = tuple(p for p in prefix if isinstance(p, str))
            span = self._table_span(table, occurrence)
            if span is None:
                continue
            rest = path[cut:]
            return self._find_in_span(span, rest) or span[0]
        return None

    def _find_in_span(self, span: tuple[int, int], rest: tuple[str | int, ...]) -> int | None:
        if not rest or not isinstance(rest[0], str):
            return None
        start, end = span
        key_line = next((n for n, k in self.keys if start <= n < end and k == rest[0]), None)
        if key_line is None or len(rest) < 2 or not isinstance(rest[1], int):
            return key_line
        # An inline array of tables written one element per line: count the `{`s.
        seen = -1
        for number in range(key_line, end):
            seen += self.lines[number - 1].count("{")
            if seen >= rest[1]:
                return number
        return key_line


def _split_dotted(header: str) -> list[str]:
    parts, current, quoted = [], "", False
    for char in header:
        if char == '"':
            quoted = not quoted
        if char == "." and not quoted:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


def dotted_path(path: tuple[str | int, ...]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            needs_quotes = not re.fullmatch(r"[A-Za-z0-9_-]+", part)
            text = f'"{part}"' if needs_quotes else part
            out += f".{text}" if out else text
    return out


class _Reader:
    """Converts raw TOML values, recording a Problem (and skipping the value) on each error."""

    def __init__(self, filename: str, text: str) -> None:
        self.filename = filename
        self.text = text
        self._index: LineIndex | None = None  # built on the first problem: clean files skip the scan
        self.problems: list[Problem] = []

    def problem(self, path: tuple[str | int, ...], message: str) -> None:
        if self._index is None:
            self._index = LineIndex(self.text)
        line = self._index.find(path)
        self.problems.append(Problem(self.filename, line, dotted_path(path), message))

    def check_keys(self, table: Mapping[str, Any], allowed: set[str], path: tuple[str | int, ...]) -> None:
        for key in table:
            if key not in allowed:
                import difflib

                hint = difflib.get_close_matches(key, sorted(allowed), n=1)
                suffix = f" (did you mean '{hint[0]}'?)" if hint else ""
                self.problem((*path, key), f"unknown key{suffix}")

    def get(
        self,
        table: Mapping[str, Any],
        key: str,
        path: tuple[str | int, ...],
        convert: Callable[[Any], Any],
        default: Any = None,
        required: bool = False,
    ) -> Any:
        if key not in table:
            if required:
                self.problem(path, f"missing required key '{key}'")
            return default
        try:
            return convert(table[key])
        except _Invalid as exc:
            self.problem((*path, key), str(exc))
            return default


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid(f"expected a string, got {_kind(value)}")
    return value


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Invalid(f"expected true or false, got {_kind(value)}")
    return value


def _positive_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Invalid(f"expected an integer, got {_kind(value)}")
    if value <= 0:
        raise _Invalid(f"must be positive, got {value}")
    return value


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _Invalid(f"expected a number, got {_kind(value)}")
    if not math.isfinite(value):
        raise _Invalid(f"must be finite, got {value}")
    return float(value)


def _positive_number(value: Any) -> float:
    number = _number(value)
    if number <= 0:
        raise _Invalid(f"must be positive, got {value}")
    return number


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _Invalid(f"expected a list of strings, got {_kind(value)}")
    return tuple(value)


def _range(value: Any) -> tuple[float, float]:
    if not isinstance(value, list) or len(value) != 2:
        raise _Invalid("expected [low, high]")
    low, high = _number(value[0]), _number(value[1])
    if low > high:
        raise _Invalid(f"low {low:g} is above high {high:g}")
    return low, high


def _batch_sizes(value: Any) -> dict[int, int]:
    if not isinstance(value, dict):
        raise _Invalid(f'expected a table like {{ "16" = 32 }}, got {_kind(value)}')
    sizes: dict[int, int] = {}
    for key, size in value.items():
        try:
            gigabytes = int(key)
        except ValueError:
            raise _Invalid(f"key '{key}' is not a GPU memory size in GB") from None
        if gigabytes <= 0:
            raise _Invalid(f"GPU memory '{key}' must be positive")
        sizes[gigabytes] = _positive_int(size)
    return sizes


def _kind(value: Any) -> str:
    names = {str: "a string", bool: "a boolean", int: "an integer", float: "a number",
             list: "a list", dict: "a table"}  # fmt: skip
    return names.get(type(value), type(value).__name__)


def _table(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Invalid(f"expected a table, got {_kind(value)}")
    return value


def _read_resources(reader: _Reader, raw: Any, path: tuple[str | int, ...]) -> Resources:
    try:
        table = _table(raw)
    except _Invalid as exc:
        reader.problem(path, str(exc))
        return Resources()
    reader.check_keys(table, _RESOURCE_KEYS, path)
    return Resources(
        min_gpu_memory_gb=reader.get(table, "min_gpu_memory_gb", path, _positive_number),
        cpus=reader.get(table, "cpus", path, _positive_number),
        batch_size=reader.get(table, "batch_size", path, _batch_sizes, default={}),
        source=reader.get(table, "source", path, _string, default=""),
    )


def _read_claims(reader: _Reader, raw: Any, path: tuple[str | int, ...]) -> tuple[Claim, ...]:
    if not isinstance(raw, list):
        reader.problem(path, f"expected a list of claim tables, got {_kind(raw)}")
        return ()
    claims = []
    for position, item in enumerate(raw):
        where = (*path, position)
        if not isinstance(item, dict):
            reader.problem(where, f"expected a claim table, got {_kind(item)}")
            continue
        before = len(reader.problems)
        reader.check_keys(item, _CLAIM_KEYS, where)
        claim = Claim(
            metric=reader.get(item, "metric", where, _string, default="", required=True),
            source=reader.get(item, "source", where, _string, default="", required=True),
            value=reader.get(item, "value", where, _number),
            range=reader.get(item, "range", where, _range),
            dataset=reader.get(item, "dataset", where, _string, default=""),
            split=reader.get(item, "split", where, _string, default=""),
            language=reader.get(item, "language", where, _string, default=""),
            decoder=reader.get(item, "decoder", where, _string, default=""),
            batch_size=reader.get(item, "batch_size", where, _positive_int),
            precision=reader.get(item, "precision", where, _string, default=""),
            gpu=reader.get(item, "gpu", where, _string, default=""),
            note=reader.get(item, "note", where, _string, default=""),
        )
        if (claim.value is None) == (claim.range is None) and len(reader.problems) == before:
            reader.problem(where, "give exactly one of 'value' or 'range'")
        claims.append(claim)  # kept even when broken, so positions match the file
    return tuple(claims)


def _read_model_source(reader: _Reader, raw: Any, path: tuple[str | int, ...]) -> ModelSource:
    if isinstance(raw, str):  # shorthand: a bare string is an NGC or HF name
        return ModelSource(hf=raw) if "/" in raw else ModelSource(ngc=raw)
    try:
        table = _table(raw)
    except _Invalid as exc:
        reader.problem(path, str(exc))
        return ModelSource()
    reader.check_keys(table, _MODEL_SOURCE_KEYS, path)
    values = {key: reader.get(table, key, path, _string, default="") for key in _MODEL_SOURCE_KEYS}
    return ModelSource(**values)


def _read_model(reader: _Reader, name: str, raw: Any, plugin: str, base_dir: str) -> tuple[ModelEntry | None, bool]:
    """The entry and whether it was free of structural problems."""
    path: tuple[str | int, ...] = ("models", name)
    try:
        table = _table(raw)
    except _Invalid as exc:
        reader.problem(path, str(exc))
        return None, False
    before = len(reader.problems)
    reader.check_keys(table, _MODEL_KEYS, path)
    for key in _REQUIRED_MODEL_KEYS:
        if key not in table:
            reader.problem(path, f"missing required key '{key}'")
    g = reader.get
    entry = ModelEntry(
        name=name,
        status=g(table, "status", path, _string, default=""),
        source=_read_model_source(reader, table["source"], (*path, "source")) if "source" in table else ModelSource(),
        family=g(table, "family", path, _string, default=""),
        decoders=g(table, "decoders", path, _strings, default=()),
        size=g(table, "size", path, _string, default=""),
        languages=g(table, "languages", path, _strings, default=()),
        architecture=g(table, "architecture", path, _string, default=""),
        parameters=g(table, "parameters", path, _positive_int),
        domains=g(table, "domains", path, _strings, default=("general",)),
        streaming=g(table, "streaming", path, _boolean, default=False),
        punctuation=g(table, "punctuation", path, _boolean, default=False),
        capitalization=g(table, "capitalization", path, _boolean, default=False),
        sample_rate=g(table, "sample_rate", path, _positive_int, default=16000),
        license=g(table, "license", path, _string, default=""),
        precision=g(table, "precision", path, _string, default="fp32"),
        resources=_read_resources(reader, table["resources"], (*path, "resources")) if "resources" in table else Resources(),
        claims=_read_claims(reader, table["claims"], (*path, "claims")) if "claims" in table else (),
        substitutes=g(table, "substitutes", path, _strings, default=()),
        notes=g(table, "notes", path, _string, default=""),
        plugin=plugin,
        base_dir=base_dir,
    )  # fmt: skip
    return entry, len(reader.problems) == before


def parse_catalog_text(text: str, filename: str, plugin: str = "builtin", base_dir: str = "") -> ParsedFile:
    """Structural pass over one TOML document. Never raises: problems are collected."""
    parsed = ParsedFile()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        line_match = re.search(r"at line (\d+)", message)
        line = int(line_match.group(1)) if line_match else None
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", message)
        parsed.problems.append(Problem(filename, line, "", f"invalid TOML: {message}"))
        return parsed
    reader = _Reader(filename, text)
    reader.check_keys(data, _TOP_KEYS, ())
    version = data.get("schema_version", 1)
    if version != 1:
        reader.problem(("schema_version",), f"unsupported schema version {version!r} (this tool reads 1)")

    for key, raw in _items(reader, data, "sources"):
        where = ("sources", key)
        if not isinstance(raw, dict):
            reader.problem(where, f"expected a table, got {_kind(raw)}")
            continue
        reader.check_keys(raw, _SOURCE_KEYS, where)
        parsed.sources[key] = Source(
            key=key,
            title=reader.get(raw, "title", where, _string, default="", required=True),
            date=reader.get(raw, "date", where, _string, default="", required=True),
            url=reader.get(raw, "url", where, _string, default=""),
        )
    for key, raw in _items(reader, data, "tiers"):
        where = ("tiers", key)
        if not isinstance(raw, dict):
            reader.problem(where, f"expected a table, got {_kind(raw)}")
            continue
        reader.check_keys(raw, _TIER_KEYS, where)
        resources = (
            _read_resources(reader, raw["resources"], (*where, "resources")) if "resources" in raw else Resources()
        )
        claims = _read_claims(reader, raw["claims"], (*where, "claims")) if "claims" in raw else ()
        parsed.tiers[key] = Tier(name=key, resources=resources, claims=claims)
    for name, raw in _items(reader, data, "models"):
        entry, clean = _read_model(reader, name, raw, plugin, base_dir)
        if entry is not None:
            (parsed.models if clean else parsed.partial)[name] = entry
    parsed.problems.extend(reader.problems)
    return parsed


def _items(reader: _Reader, data: Mapping[str, Any], key: str) -> list[tuple[str, Any]]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        reader.problem((key,), f"expected a table, got {_kind(value)}")
        return []
    return list(value.items())


def read_catalog_file(path: str | Path, plugin: str = "builtin") -> ParsedFile:
    """Parse a catalog file; relative model paths resolve against its folder."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return ParsedFile(problems=[Problem(str(path), None, "", f"cannot read: {reason}")])
    return parse_catalog_text(text, file.name, plugin=plugin, base_dir=str(file.parent.resolve()))
