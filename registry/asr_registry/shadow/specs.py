"""Architecture specs (`architectures.toml`): which NeMo config makes each catalog model.

Reading and checking the file needs neither torch nor NeMo, so `validate` can check it.
`model_config()` gives the NeMo `model:` block of a spec as plain data: the base's block
(with the blocks it extends), then the model's overrides, then the vocabulary-dependent keys.
"""

from __future__ import annotations

import copy
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from asr_registry.errors import CatalogError

ARCHITECTURES_ENV = "ASR_REGISTRY_ARCHITECTURES"
MODEL_CLASSES: tuple[str, ...] = (
    "EncDecCTCModelBPE",
    "EncDecRNNTBPEModel",
    "EncDecHybridRNNTCTCBPEModel",
    "EncDecMultiTaskModel",
)
TOKENIZERS: tuple[str, ...] = ("bpe", "canary")
# Families whose greedy decoding a random-weight shadow cannot time realistically (see calibration).
TRANSDUCER_CLASSES: frozenset[str] = frozenset({"EncDecRNNTBPEModel", "EncDecHybridRNNTCTCBPEModel"})
_NONE = "None"  # TOML has no null; the file writes YAML's `null` as the string "None"
_BASE_KEYS = {"config", "class", "tokenizer", "extends", "model"}
_SPEC_KEYS = {
    "base",
    "vocab_size",
    "special_tokens",
    "languages",
    "overrides",
    "parameters",
    "claimed",
    "evidence",
    "assumed",
    "sources",
    "parameter_check",
}


@dataclass(frozen=True)
class Base:
    key: str
    config: str
    model_class: str
    tokenizer: str
    extends: tuple[str, ...]
    model: Mapping[str, Any]


@dataclass(frozen=True)
class ArchitectureSpec:
    """One catalog model's architecture: a base config plus what makes this checkpoint."""

    name: str
    base: Base
    vocab_size: int
    overrides: Mapping[str, Any] = field(default_factory=dict)
    parameters: int | None = None
    claimed: int | None = None
    special_tokens: int = 0
    languages: tuple[str, ...] = ()
    evidence: str = ""
    assumed: str = ""
    sources: tuple[str, ...] = ()
    parameter_check: str = ""

    @property
    def model_class(self) -> str:
        return self.base.model_class

    @property
    def transducer(self) -> bool:
        return self.base.model_class in TRANSDUCER_CLASSES

    @property
    def total_vocab(self) -> int:
        """Output vocabulary (without blank): per-language pieces times languages plus specials for Canary."""
        if self.base.tokenizer == "canary":
            return self.vocab_size * len(self.languages) + self.special_tokens
        return self.vocab_size


@dataclass(frozen=True)
class ArchitectureFile:
    path: str
    nemo_commit: str
    specs: dict[str, ArchitectureSpec]
    sources: dict[str, Mapping[str, str]]
    problems: tuple[str, ...] = ()


def architectures_path() -> str:
    return os.environ.get(ARCHITECTURES_ENV) or os.path.join(
        os.path.dirname(os.path.dirname(__file__)), "catalog", "architectures.toml"
    )


def _none(value: Any) -> Any:
    if isinstance(value, str) and value == _NONE:
        return None
    if isinstance(value, dict):
        return {k: _none(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_none(v) for v in value]
    return value


def merge(into: dict[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """Deep merge of nested mappings: `update` wins, sub-tables merge."""
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            merge(into[key], value)
        else:
            into[key] = copy.deepcopy(value)
    return into


def _base_block(bases: Mapping[str, Mapping[str, Any]], key: str, seen: tuple[str, ...] = ()) -> dict[str, Any]:
    if key in seen:
        raise CatalogError(f"bases.{key}: 'extends' loops through {' -> '.join((*seen, key))}")
    raw = bases[key]
    parents = raw.get("extends", [])
    block: dict[str, Any] = {}
    for parent in [parents] if isinstance(parents, str) else parents:
        if parent not in bases:
            raise CatalogError(f"bases.{key}.extends: unknown base '{parent}'")
        merge(block, _base_block(bases, parent, (*seen, key)))
    return merge(block, raw.get("model", {}))


def _set_dotted(block: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    node = block
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            raise KeyError(path)
        node = child
    node[parts[-1]] = copy.deepcopy(value)


def parse(path: str) -> ArchitectureFile:
    """Read and check an architectures file; problems are collected, not raised."""
    try:
        with open(path, "rb") as handle:
            raw = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CatalogError(f"{path}: {exc}") from None
    problems: list[str] = []
    where = os.path.basename(path)
    raw_bases: dict[str, Any] = raw.get("bases", {})
    bases: dict[str, Base] = {}
    for key, entry in raw_bases.items():
        unknown = set(entry) - _BASE_KEYS
        if unknown:
            problems.append(f"{where}: bases.{key}: unknown key(s) {', '.join(sorted(unknown))}")
        if entry.get("class") not in MODEL_CLASSES:
            problems.append(
                f"{where}: bases.{key}.class: '{entry.get('class')}' is not one of {', '.join(MODEL_CLASSES)}"
            )
        if entry.get("tokenizer") not in TOKENIZERS:
            problems.append(f"{where}: bases.{key}.tokenizer: must be one of {', '.join(TOKENIZERS)}")
        if not entry.get("config"):
            problems.append(f"{where}: bases.{key}.config: the published NeMo config it restates is required")
        try:
            block = _none(_base_block(raw_bases, key))
        except CatalogError as exc:
            problems.append(f"{where}: {exc}")
            continue
        extends = entry.get("extends", [])
        bases[key] = Base(
            key,
            entry.get("config", ""),
            entry.get("class", ""),
            entry.get("tokenizer", "bpe"),
            tuple([extends] if isinstance(extends, str) else extends),
            block,
        )
    sources = dict(raw.get("sources", {}))
    specs: dict[str, ArchitectureSpec] = {}
    for name, entry in raw.get("architectures", {}).items():
        prefix = f"{where}: architectures.{name}"
        unknown = set(entry) - _SPEC_KEYS
        if unknown:
            problems.append(f"{prefix}: unknown key(s) {', '.join(sorted(unknown))}")
        base = bases.get(entry.get("base", ""))
        if base is None:
            problems.append(f"{prefix}.base: unknown base '{entry.get('base', '')}'")
            continue
        vocab = entry.get("vocab_size")
        if not isinstance(vocab, int) or vocab < 2:
            problems.append(f"{prefix}.vocab_size: an integer of at least 2 is required")
            continue
        overrides = _none(dict(entry.get("overrides", {})))
        trial = copy.deepcopy(dict(base.model))
        for dotted, value in overrides.items():
            try:
                _set_dotted(trial, dotted, value)
            except KeyError:
                problems.append(f"{prefix}.overrides: '{dotted}' names no section of base '{base.key}'")
        if base.tokenizer == "canary" and (not entry.get("languages") or not entry.get("special_tokens")):
            problems.append(f"{prefix}: a Canary spec needs 'languages' and 'special_tokens'")
        for count_key in ("parameters", "claimed"):
            count = entry.get(count_key)
            if count is not None and (not isinstance(count, int) or count <= 0):
                problems.append(f"{prefix}.{count_key}: a positive integer is required")
        if not entry.get("evidence"):
            problems.append(f"{prefix}.evidence: say where the overrides and the vocabulary size come from")
        specs[name] = ArchitectureSpec(
            name=name,
            base=base,
            vocab_size=vocab,
            overrides=overrides,
            parameters=entry.get("parameters"),
            claimed=entry.get("claimed"),
            special_tokens=int(entry.get("special_tokens", 0)),
            languages=tuple(entry.get("languages", ())),
            evidence=entry.get("evidence", ""),
            assumed=entry.get("assumed", ""),
            sources=tuple(entry.get("sources", ())),
            parameter_check=entry.get("parameter_check", ""),
        )
    return ArchitectureFile(path, str(raw.get("nemo_commit", "")), specs, sources, tuple(problems))


@cache
def load(path: str | None = None) -> ArchitectureFile:
    return parse(path or architectures_path())


def get_spec(name: str) -> ArchitectureSpec:
    """The spec of a catalog model; a clear error when it has none."""
    specs = load().specs
    bare = name.removeprefix("nvidia/")
    spec = specs.get(bare)
    if spec is None:
        import difflib

        near = difflib.get_close_matches(bare, list(specs), n=3)
        hint = f"; did you mean {', '.join(near)}?" if near else ""
        raise CatalogError(f"no architecture spec for '{name}' in {os.path.basename(architectures_path())}{hint}")
    return spec


def model_config(spec: ArchitectureSpec) -> dict[str, Any]:
    """The spec's NeMo `model:` block (interpolations unresolved; tokenizer not yet set)."""
    block = copy.deepcopy(dict(spec.base.model))
    for dotted, value in spec.overrides.items():
        _set_dotted(block, dotted, value)
    return block


def check_against_catalog(
    arch: ArchitectureFile, catalog_models: Mapping[str, Any], source_keys: set[str]
) -> list[str]:
    """Problems between the specs and the catalog: unknown names, unknown sources, unpublished models."""
    where = os.path.basename(arch.path)
    problems = list(arch.problems)
    known_sources = source_keys | set(arch.sources)
    for name, spec in arch.specs.items():
        entry = catalog_models.get(name)
        if entry is None:
            problems.append(f"{where}: architectures.{name}: no catalog model of that name")
            continue
        if getattr(entry, "status", "published") != "published":
            problems.append(
                f"{where}: architectures.{name}: the catalog marks it {entry.status}; specs are for published models"
            )
        for key in spec.sources:
            if key not in known_sources:
                problems.append(f"{where}: architectures.{name}.sources: unknown source '{key}'")
    return problems
