"""Shared types for ensemble combiners, the combiner spec syntax and typed construction.

A spec names a registered combiner and its parameters as text, e.g.
`rover:method=maxconf,alpha=0.7,null_conf=0.6`. `make_combiner` turns the text values into
the types the factory's signature declares, so every combiner gets the same checking and
the same error messages without parsing anything itself.
"""

from __future__ import annotations

import inspect
import math
import re
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, Union, get_args, get_origin


class CombinerError(ValueError):
    """A combiner cannot be built or run as asked: unknown name or parameter, bad value."""


@dataclass(frozen=True)
class MemberHypothesis:
    """One ensemble member's transcript of an utterance, as words with optional confidences."""

    member: str
    words: tuple[str, ...]
    confidences: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        # Accept lists from callers but store tuples, so instances stay hashable and immutable.
        object.__setattr__(self, "words", tuple(self.words))
        if self.confidences is not None:
            object.__setattr__(self, "confidences", tuple(float(c) for c in self.confidences))
        for word in self.words:
            if not isinstance(word, str) or not word or any(ch.isspace() for ch in word):
                raise ValueError(
                    f"member '{self.member}': words must be non-empty strings without spaces, got {word!r}"
                )
        if self.confidences is None:
            return
        if len(self.confidences) != len(self.words):
            raise ValueError(f"member '{self.member}': {len(self.words)} words but {len(self.confidences)} confidences")
        for conf in self.confidences:
            if not (0.0 <= conf <= 1.0):  # also rejects NaN
                raise ValueError(f"member '{self.member}': confidence {conf!r} is outside [0, 1]")


@dataclass(frozen=True)
class Combined:
    """A combiner's output for one utterance."""

    text: str
    words: tuple[str, ...]
    confidences: tuple[float, ...] | None
    confidence: float | None  # utterance level: mean of the word confidences, None if unknown or no words


def combined_from(words: Sequence[str], confidences: Sequence[float] | None) -> Combined:
    """Build a `Combined` whose utterance confidence is the mean word confidence."""
    words = tuple(words)
    confs = None if confidences is None else tuple(confidences)
    mean = sum(confs) / len(confs) if confs else None
    return Combined(" ".join(words), words, confs, mean)


def require_hypotheses(hypotheses: Sequence[MemberHypothesis]) -> list[MemberHypothesis]:
    """The hypotheses as a list; an ensemble of nobody has no answer, so that is an error."""
    hyps = list(hypotheses)
    if not hyps:
        raise CombinerError("no hypotheses to combine: an ensemble needs at least one member")
    return hyps


class Combiner(Protocol):
    def combine(self, hypotheses: Sequence[MemberHypothesis]) -> Combined: ...


@dataclass(frozen=True)
class CombinerSpec:
    name: str
    params: dict[str, str]


_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def parse_combiner_spec(text: str) -> CombinerSpec:
    """Parse `name` or `name:key=value,key=value` (spaces around the pieces are ignored)."""
    if not text or not text.strip():
        raise ValueError("empty combiner spec: expected 'name' or 'name:key=value,...'")
    name, sep, rest = text.partition(":")
    name = name.strip()
    if not name:
        raise ValueError(f"combiner spec {text!r} has no name before ':'")
    if not _NAME.fullmatch(name):
        raise ValueError(f"combiner spec {text!r}: invalid name {name!r} (letters, digits, '_', '-', '.')")
    params: dict[str, str] = {}
    if not sep:
        return CombinerSpec(name, params)
    if not rest.strip():
        raise ValueError(f"combiner spec {text!r}: nothing after ':'; drop the ':' or add key=value pairs")
    for position, item in enumerate(rest.split(","), start=1):
        if not item.strip():
            raise ValueError(f"combiner spec {text!r}: parameter {position} is empty (stray ',')")
        key, eq, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not eq:
            raise ValueError(f"combiner spec {text!r}: parameter {item.strip()!r} is not key=value")
        if not _KEY.fullmatch(key):
            raise ValueError(f"combiner spec {text!r}: invalid parameter name {key!r}")
        if not value:
            raise ValueError(f"combiner spec {text!r}: parameter '{key}' has no value")
        if key in params:
            raise ValueError(f"combiner spec {text!r}: parameter '{key}' is given twice")
        params[key] = value
    return CombinerSpec(name, params)


def make_combiner(spec: CombinerSpec, factories: Mapping[str, Callable[..., Combiner]]) -> Combiner:
    """Build the combiner `spec` names, converting its text parameters to the factory's types."""
    factory = factories.get(spec.name)
    if factory is None:
        available = ", ".join(sorted(factories)) or "none"
        raise CombinerError(f"unknown combiner '{spec.name}'; available: {available}")
    accepted, takes_any = _parameters(factory)
    kwargs: dict[str, Any] = {}
    for key, raw in spec.params.items():
        if key not in accepted:
            if takes_any:
                kwargs[key] = raw  # **kwargs gives no types; the factory checks the text itself
                continue
            valid = ", ".join(sorted(accepted))
            hint = f"valid parameters: {valid}" if valid else "it takes no parameters"
            raise CombinerError(f"combiner '{spec.name}': unknown parameter '{key}'; {hint}")
        kwargs[key] = _convert(spec.name, key, raw, accepted[key])
    return factory(**kwargs)


def _parameters(factory: Callable[..., Any]) -> tuple[dict[str, Any], bool]:
    """Keyword parameters the factory takes with their annotations, and whether it takes **kwargs."""
    target = factory.__init__ if inspect.isclass(factory) else factory
    try:
        hints = typing.get_type_hints(target)
    except Exception:
        hints = {}  # unresolvable annotations: fall back to passing text
    accepted: dict[str, Any] = {}
    takes_any = False
    for param in inspect.signature(factory).parameters.values():
        if param.kind is inspect.Parameter.VAR_KEYWORD:
            takes_any = True
        elif param.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY):
            accepted[param.name] = hints.get(param.name, str)
    return accepted, takes_any


_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


def _convert(combiner: str, key: str, raw: str, annotation: Any) -> Any:
    where = f"combiner '{combiner}': parameter '{key}'"
    origin = get_origin(annotation)
    if origin is Literal:
        choices = get_args(annotation)
        for choice in choices:
            if str(choice) == raw:
                return choice
        raise CombinerError(f"{where} must be one of {', '.join(str(c) for c in choices)}; got {raw!r}")
    if origin is Union or origin is types.UnionType:
        options = [a for a in get_args(annotation) if a is not type(None)]
        errors = []
        for option in options:  # the first type that accepts the text wins
            try:
                return _convert(combiner, key, raw, option)
            except CombinerError as exc:
                errors.append(str(exc))
        raise CombinerError(errors[0] if len(errors) == 1 else f"{where}: cannot use {raw!r} ({'; '.join(errors)})")
    if annotation is bool:
        if raw.lower() in _TRUE:
            return True
        if raw.lower() in _FALSE:
            return False
        raise CombinerError(f"{where} expects true or false; got {raw!r}")
    if annotation is int:
        try:
            return int(raw)
        except ValueError:
            raise CombinerError(f"{where} expects an integer; got {raw!r}") from None
    if annotation is float:
        try:
            value = float(raw)
        except ValueError:
            raise CombinerError(f"{where} expects a number; got {raw!r}") from None
        if not math.isfinite(value):
            raise CombinerError(f"{where} expects a finite number; got {raw!r}")
        return value
    return raw  # str, Any or an annotation we do not interpret
