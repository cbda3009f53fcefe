"""Combiner specs: parsing, typed construction, the built-in registrations, member validation."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

import pytest

from asr_registry.ensemble.combiners import (
    Combined,
    Combiner,
    CombinerError,
    CombinerSpec,
    MemberHypothesis,
    make_combiner,
    parse_combiner_spec,
)
from asr_registry.ensemble.rover import Rover
from asr_registry.ensemble.voting import BestConfidence, MajorityVote
from asr_registry.plugins.defaults import BuiltinCombiners


def builtin_factories() -> dict[str, Callable[..., Combiner]]:
    found: dict[str, Callable[..., Combiner]] = {}

    def register(name: str, factory: Callable[..., Combiner], description: str) -> None:
        assert name not in found and description
        found[name] = factory

    BuiltinCombiners().register_combiners(register)
    return found


# --- parsing -------------------------------------------------------------------------------


def test_parse_name_only() -> None:
    assert parse_combiner_spec("majority") == CombinerSpec("majority", {})
    assert parse_combiner_spec("best-confidence") == CombinerSpec("best-confidence", {})


def test_parse_parameters_in_order() -> None:
    spec = parse_combiner_spec("rover:method=maxconf,alpha=0.7,null_conf=0.6")
    assert spec == CombinerSpec("rover", {"method": "maxconf", "alpha": "0.7", "null_conf": "0.6"})
    assert list(spec.params) == ["method", "alpha", "null_conf"]


def test_parse_ignores_spaces_around_pieces() -> None:
    assert parse_combiner_spec(" rover : method = freq , alpha = 1 ") == CombinerSpec(
        "rover", {"method": "freq", "alpha": "1"}
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty combiner spec"),
        ("   ", "empty combiner spec"),
        (":method=freq", "has no name before ':'"),
        ("ro ver", "invalid name 'ro ver'"),
        ("rover!", "invalid name 'rover!'"),
        ("rover:", "nothing after ':'"),
        ("rover:method", "parameter 'method' is not key=value"),
        ("rover:=freq", "invalid parameter name ''"),
        ("rover:1x=2", "invalid parameter name '1x'"),
        ("rover:method=", "parameter 'method' has no value"),
        ("rover:method=freq,,alpha=1", "parameter 2 is empty"),
        ("rover:method=freq,", "parameter 2 is empty"),
        ("rover:alpha=1,alpha=1", "parameter 'alpha' is given twice"),
    ],
)
def test_malformed_specs_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_combiner_spec(text)


def test_a_value_may_contain_equals_and_colons() -> None:
    assert parse_combiner_spec("x:path=a=b:c").params == {"path": "a=b:c"}


# --- construction --------------------------------------------------------------------------


def test_builtins_are_registered_with_descriptions() -> None:
    factories = builtin_factories()
    assert factories == {"rover": Rover, "majority": MajorityVote, "best-confidence": BestConfidence}


def test_make_rover_with_typed_parameters() -> None:
    combiner = make_combiner(parse_combiner_spec("rover:method=maxconf,alpha=0.7,null_conf=0.6"), builtin_factories())
    assert isinstance(combiner, Rover)
    assert (combiner.method, combiner.alpha, combiner.null_conf) == ("maxconf", 0.7, 0.6)


def test_make_parameterless_combiners() -> None:
    factories = builtin_factories()
    assert isinstance(make_combiner(parse_combiner_spec("majority"), factories), MajorityVote)
    assert isinstance(make_combiner(parse_combiner_spec("best-confidence"), factories), BestConfidence)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("median", "unknown combiner 'median'; available: best-confidence, majority, rover"),
        ("rover:beta=1", "unknown parameter 'beta'; valid parameters: alpha, method, null_conf"),
        ("majority:alpha=1", "combiner 'majority': unknown parameter 'alpha'; it takes no parameters"),
        ("rover:method=vote", "parameter 'method' must be one of freq, avgconf, maxconf; got 'vote'"),
        ("rover:method=maxconf,alpha=high", "parameter 'alpha' expects a number; got 'high'"),
        ("rover:method=maxconf,alpha=nan", "parameter 'alpha' expects a finite number"),
        ("rover:method=maxconf,alpha=1.2", r"alpha must be in \[0, 1\]; got 1.2"),
        ("rover:method=avgconf,null_conf=-0.5", r"null_conf must be in \[0, 1\]"),
        ("rover:alpha=0.5", "method=freq votes by word frequency only"),
    ],
)
def test_bad_specs_are_combiner_errors(text: str, message: str) -> None:
    with pytest.raises(CombinerError, match=message):
        make_combiner(parse_combiner_spec(text), builtin_factories())


def test_unknown_name_with_no_combiners_at_all() -> None:
    with pytest.raises(CombinerError, match="available: none"):
        make_combiner(CombinerSpec("rover", {}), {})


def test_combiner_error_is_a_value_error() -> None:
    assert issubclass(CombinerError, ValueError)


class _Typed:
    """A third-party style factory with every annotation the converter understands."""

    def __init__(
        self,
        count: int = 1,
        scale: float = 1.0,
        strict: bool = False,
        label: str = "",
        mode: Literal["a", "b"] = "a",
        limit: int | None = None,
    ) -> None:
        self.values = (count, scale, strict, label, mode, limit)

    def combine(self, hypotheses: Sequence[MemberHypothesis]) -> Combined:
        raise NotImplementedError


def test_parameters_are_converted_to_the_annotated_types() -> None:
    spec = parse_combiner_spec("t:count=3,scale=2.5,strict=yes,label=x y,mode=b,limit=7")
    combiner = make_combiner(spec, {"t": _Typed})
    assert isinstance(combiner, _Typed)
    assert combiner.values == (3, 2.5, True, "x y", "b", 7)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("t:count=2.5", "parameter 'count' expects an integer; got '2.5'"),
        ("t:strict=maybe", "parameter 'strict' expects true or false; got 'maybe'"),
        ("t:mode=c", "parameter 'mode' must be one of a, b; got 'c'"),
        ("t:limit=many", "parameter 'limit' expects an integer; got 'many'"),
    ],
)
def test_conversion_errors_name_the_parameter(text: str, message: str) -> None:
    with pytest.raises(CombinerError, match=message):
        make_combiner(parse_combiner_spec(text), {"t": _Typed})


def test_a_factory_taking_any_keywords_gets_the_text() -> None:
    seen: dict[str, Any] = {}

    def factory(**params: str) -> Combiner:
        seen.update(params)
        return MajorityVote()

    make_combiner(parse_combiner_spec("f:x=1,y=two"), {"f": factory})
    assert seen == {"x": "1", "y": "two"}


# --- member hypotheses ---------------------------------------------------------------------


def test_member_hypothesis_stores_tuples() -> None:
    hyp = MemberHypothesis("m", ["a", "b"], [1, 0.5])  # type: ignore[arg-type]
    assert hyp.words == ("a", "b") and hyp.confidences == (1.0, 0.5)
    assert hash(hyp) == hash(MemberHypothesis("m", ("a", "b"), (1.0, 0.5)))


@pytest.mark.parametrize(
    ("words", "confs", "message"),
    [
        (("a", "b"), (0.5,), "2 words but 1 confidences"),
        (("a",), (1.5,), r"confidence 1.5 is outside \[0, 1\]"),
        (("a",), (-0.1,), r"outside \[0, 1\]"),
        (("a",), (float("nan"),), r"outside \[0, 1\]"),
        (("",), None, "non-empty strings without spaces"),
        (("a b",), None, "non-empty strings without spaces"),
    ],
)
def test_member_hypothesis_validation(words: tuple[str, ...], confs: tuple[float, ...] | None, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        MemberHypothesis("m", words, confs)


def test_the_plugin_manager_sees_the_builtin_combiners() -> None:
    from asr_registry.plugins.manager import get_combiners

    combiners = get_combiners()
    for name in ("rover", "majority", "best-confidence"):
        assert combiners[name].plugin == "builtin-combiners"
        assert combiners[name].description
    assert combiners["rover"].factory is Rover
