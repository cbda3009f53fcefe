"""Read a catalog TOML file into typed entries, reporting every problem with file:line: field.

Two layers: this module checks structure (types, unknown keys, required fields) while
building dataclasses; `validation.py` checks meaning on the dataclasses, so entries that
plugins build in Python get the same checks as entries read from TOML.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from asr_registry.catalog import toml_values as values
from asr_registry.catalog.schema import Claim, Exclusion, ModelEntry, ModelSource, Resources, Source, Tier
from asr_registry.catalog.toml_lines import LineIndex, dotted_path, nesting_too_deep, printable

# A catalog is a few hundred kB nested four levels deep; far beyond these is an error or an attack.
MAX_CATALOG_BYTES = 16 * 1024 * 1024
MAX_NESTING = 32


@dataclass(frozen=True)
class Problem:
    """One finding: where (file, line, dotted field path) and what."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        # One line whatever the file held: names and values are quoted into messages as written.
        return printable(f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}")


@dataclass
class ParsedFile:
    models: dict[str, ModelEntry] = field(default_factory=dict)
    # Entries with structural problems, fields defaulted, kept so `validate` can report
    # their other problems too; never used for anything else.
    partial: dict[str, ModelEntry] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    tiers: dict[str, Tier] = field(default_factory=dict)
    excluded: dict[str, Exclusion] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


_TOP_KEYS = {"schema_version", "sources", "tiers", "models", "excluded"}
_EXCLUSION_KEYS = {f.name for f in fields(Exclusion)} - {"name"}
_SOURCE_KEYS = {"title", "date", "url"}
_MODEL_SOURCE_KEYS = {f.name for f in fields(ModelSource)}
_RESOURCE_KEYS = {"min_gpu_memory_gb", "cpus", "batch_size", "source"}
_CLAIM_KEYS = {f.name for f in fields(Claim)}
_TIER_KEYS = {"resources", "claims", "description"}
_INTERNAL_MODEL_FIELDS = {"name", "plugin", "base_dir"}
_MODEL_KEYS = {f.name for f in fields(ModelEntry)} - _INTERNAL_MODEL_FIELDS
_REQUIRED_MODEL_KEYS = ("status", "source", "family", "decoders", "size", "languages")


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
        except values.Invalid as exc:
            self.problem((*path, key), str(exc))
            return default


def _read_resources(reader: _Reader, raw: Any, path: tuple[str | int, ...]) -> Resources:
    try:
        table = values.table(raw)
    except values.Invalid as exc:
        reader.problem(path, str(exc))
        return Resources()
    reader.check_keys(table, _RESOURCE_KEYS, path)
    return Resources(
        min_gpu_memory_gb=reader.get(table, "min_gpu_memory_gb", path, values.positive_number),
        cpus=reader.get(table, "cpus", path, values.positive_number),
        batch_size=reader.get(table, "batch_size", path, values.batch_sizes, default={}),
        source=reader.get(table, "source", path, values.string, default=""),
    )


def _read_claims(reader: _Reader, raw: Any, path: tuple[str | int, ...]) -> tuple[Claim, ...]:
    if not isinstance(raw, list):
        reader.problem(path, f"expected a list of claim tables, got {values.kind(raw)}")
        return ()
    claims = []
    for position, item in enumerate(raw):
        where = (*path, position)
        if not isinstance(item, dict):
            reader.problem(where, f"expected a claim table, got {values.kind(item)}")
            continue
        before = len(reader.problems)
        reader.check_keys(item, _CLAIM_KEYS, where)
        claim = Claim(
            metric=reader.get(item, "metric", where, values.string, default="", required=True),
            source=reader.get(item, "source", where, values.string, default="", required=True),
            value=reader.get(item, "value", where, values.number),
            range=reader.get(item, "range", where, values.range_of),
            dataset=reader.get(item, "dataset", where, values.string, default=""),
            split=reader.get(item, "split", where, values.string, default=""),
            language=reader.get(item, "language", where, values.string, default=""),
            decoder=reader.get(item, "decoder", where, values.string, default=""),
            batch_size=reader.get(item, "batch_size", where, values.batch_size),
            precision=reader.get(item, "precision", where, values.string, default=""),
            gpu=reader.get(item, "gpu", where, values.string, default=""),
            cpu=reader.get(item, "cpu", where, values.string, default=""),
            threads=reader.get(item, "threads", where, values.positive_int),
            chunk_ms=reader.get(item, "chunk_ms", where, values.positive_int),
            note=reader.get(item, "note", where, values.string, default=""),
            config=reader.get(item, "config", where, values.string, default=""),
            revision=reader.get(item, "revision", where, values.string, default=""),
            scoring=reader.get(item, "scoring", where, values.string, default=""),
            unstated=reader.get(item, "unstated", where, values.strings, default=()),
        )
        if (claim.value is None) == (claim.range is None) and len(reader.problems) == before:
            reader.problem(where, "give exactly one of 'value' or 'range'")
        claims.append(claim)  # kept even when broken, so positions match the file
    return tuple(claims)


def _read_model_source(reader: _Reader, raw: Any, path: tuple[str | int, ...]) -> ModelSource:
    if isinstance(raw, str):  # shorthand: a bare string is an NGC or HF name
        return ModelSource(hf=raw) if "/" in raw else ModelSource(ngc=raw)
    try:
        table = values.table(raw)
    except values.Invalid as exc:
        reader.problem(path, str(exc))
        return ModelSource()
    reader.check_keys(table, _MODEL_SOURCE_KEYS, path)
    fields_read = {key: reader.get(table, key, path, values.string, default="") for key in _MODEL_SOURCE_KEYS}
    return ModelSource(**fields_read)


def _read_model(reader: _Reader, name: str, raw: Any, plugin: str, base_dir: str) -> tuple[ModelEntry | None, bool]:
    """The entry and whether it was free of structural problems."""
    path: tuple[str | int, ...] = ("models", name)
    try:
        table = values.table(raw)
    except values.Invalid as exc:
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
        status=g(table, "status", path, values.string, default=""),
        source=_read_model_source(reader, table["source"], (*path, "source")) if "source" in table else ModelSource(),
        family=g(table, "family", path, values.string, default=""),
        decoders=g(table, "decoders", path, values.strings, default=()),
        size=g(table, "size", path, values.string, default=""),
        languages=g(table, "languages", path, values.strings, default=()),
        architecture=g(table, "architecture", path, values.string, default=""),
        parameters=g(table, "parameters", path, values.positive_int),
        domains=g(table, "domains", path, values.strings, default=("general",)),
        streaming=g(table, "streaming", path, values.boolean, default=False),
        punctuation=g(table, "punctuation", path, values.boolean, default=False),
        capitalization=g(table, "capitalization", path, values.boolean, default=False),
        sample_rate=g(table, "sample_rate", path, values.positive_int, default=16000),
        license=g(table, "license", path, values.string, default=""),
        precision=g(table, "precision", path, values.string, default="fp32"),
        tasks=g(table, "tasks", path, values.strings, default=("asr",)),
        prompt=g(table, "prompt", path, values.strings, default=()),
        locales=g(table, "locales", path, values.strings, default=()),
        att_context_sizes=g(table, "att_context_sizes", path, values.context_sizes, default=()),
        chunk_sizes_ms=g(table, "chunk_sizes_ms", path, values.positive_ints, default=()),
        emission_delay_s=g(table, "emission_delay_s", path, values.delays, default=()),
        resources=_read_resources(reader, table["resources"], (*path, "resources"))
        if "resources" in table
        else Resources(),
        claims=_read_claims(reader, table["claims"], (*path, "claims")) if "claims" in table else (),
        substitutes=g(table, "substitutes", path, values.strings, default=()),
        notes=g(table, "notes", path, values.string, default=""),
        plugin=plugin,
        base_dir=base_dir,
    )
    return entry, len(reader.problems) == before


def parse_catalog_text(text: str, filename: str, plugin: str = "builtin", base_dir: str = "") -> ParsedFile:
    """Structural pass over one TOML document. Never raises: problems are collected."""
    parsed = ParsedFile()
    if len(text) > MAX_CATALOG_BYTES:
        parsed.problems.append(
            Problem(
                filename, None, "", f"too large for a catalog ({len(text):,} characters; at most {MAX_CATALOG_BYTES:,})"
            )
        )
        return parsed
    deep = nesting_too_deep(text, MAX_NESTING)
    if deep is not None:
        parsed.problems.append(Problem(filename, deep, "", f"invalid TOML: nested more than {MAX_NESTING} levels deep"))
        return parsed
    try:
        data = tomllib.loads(text)
    except RecursionError:  # the scan above should prevent it; never a traceback all the same
        parsed.problems.append(Problem(filename, None, "", "invalid TOML: nested too deep"))
        return parsed
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        line_match = re.search(r"at line (\d+)", message)
        line = int(line_match.group(1)) if line_match else None
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", message)
        parsed.problems.append(Problem(filename, line, "", f"invalid TOML: {message}"))
        return parsed
    reader = _Reader(filename, text)
    reader.check_keys(data, _TOP_KEYS, ())
    if not data:
        parsed.problems.append(
            Problem(filename, None, "", "the catalog is empty: expected 'schema_version = 1' and [models.NAME] tables")
        )
        return parsed
    if "schema_version" not in data:
        parsed.problems.append(
            Problem(filename, 1, "", "missing required key 'schema_version' (write 'schema_version = 1' at the top)")
        )
    else:
        version = data["schema_version"]
        if version != 1:
            reader.problem(("schema_version",), f"unsupported schema version {version!r} (this tool reads 1)")
    if not any(key in data for key in ("models", "sources", "tiers", "excluded")):
        reader.problem((), "the catalog defines nothing: no [models.NAME], [sources], [tiers] or [excluded] tables")

    for key, raw, where in _tables(reader, data, "sources", _SOURCE_KEYS):
        parsed.sources[key] = Source(
            key=key,
            title=reader.get(raw, "title", where, values.string, default="", required=True),
            date=reader.get(raw, "date", where, values.string, default="", required=True),
            url=reader.get(raw, "url", where, values.string, default=""),
        )
    for key, raw, where in _tables(reader, data, "tiers", _TIER_KEYS):
        resources = (
            _read_resources(reader, raw["resources"], (*where, "resources")) if "resources" in raw else Resources()
        )
        claims = _read_claims(reader, raw["claims"], (*where, "claims")) if "claims" in raw else ()
        parsed.tiers[key] = Tier(name=key, resources=resources, claims=claims)
    for name, raw, where in _tables(reader, data, "excluded", _EXCLUSION_KEYS):
        parsed.excluded[name] = Exclusion(
            name=name,
            kind=reader.get(raw, "kind", where, values.string, default="", required=True),
            reason=reader.get(raw, "reason", where, values.string, default="", required=True),
            hf=reader.get(raw, "hf", where, values.string, default=""),
            source=reader.get(raw, "source", where, values.string, default=""),
        )
    for name, raw in _items(reader, data, "models"):
        entry, clean = _read_model(reader, name, raw, plugin, base_dir)
        if entry is not None:
            (parsed.models if clean else parsed.partial)[name] = entry
    parsed.problems.extend(reader.problems)
    return parsed


def _items(reader: _Reader, data: Mapping[str, Any], key: str) -> list[tuple[str, Any]]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        reader.problem((key,), f"expected a table, got {values.kind(value)}")
        return []
    return list(value.items())


def _tables(
    reader: _Reader, data: Mapping[str, Any], section: str, keys: set[str]
) -> Iterator[tuple[str, dict[str, Any], tuple[str, str]]]:
    """The tables of `[section.NAME]` with their keys checked; anything else is a problem, skipped."""
    for name, raw in _items(reader, data, section):
        where = (section, name)
        if not isinstance(raw, dict):
            reader.problem(where, f"expected a table, got {values.kind(raw)}")
            continue
        reader.check_keys(raw, keys, where)
        yield name, raw, where


def read_catalog_file(path: str | Path, plugin: str = "builtin") -> ParsedFile:
    """Parse a catalog file; relative model paths resolve against its folder."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return ParsedFile(problems=[Problem(str(path), None, "", f"cannot read: {reason}")])
    return parse_catalog_text(text, file.name, plugin=plugin, base_dir=str(file.parent.resolve()))
