"""Arbitrary TOML and arbitrary field values give problems, never an exception."""

from __future__ import annotations

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asr_registry.catalog.reader import parse_catalog_text
from asr_registry.catalog.validation import validate_file

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.lists(st.one_of(st.integers(), st.text(max_size=5), st.floats()), max_size=3),
)
_FIELDS = [
    "status",
    "source",
    "family",
    "decoders",
    "size",
    "languages",
    "parameters",
    "domains",
    "streaming",
    "sample_rate",
    "precision",
    "resources",
    "claims",
    "substitutes",
    "bogus",
]


def _toml_value(value: object) -> str:
    """Render a Python value as TOML (None becomes a table), to reach the field checks."""
    if value is None:
        return "{ x = 1 }"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value) if value == value and abs(value) != float("inf") else ("nan" if value != value else "inf")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return '"' + value.encode("unicode_escape").decode("ascii").replace('"', '\\"') + '"'
    assert isinstance(value, list)
    return "[" + ", ".join(_toml_value(v) for v in value) + "]"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_never_raises(text: str) -> None:
    parsed = parse_catalog_text(text, "fuzz.toml")
    assert all(str(p).startswith("fuzz.toml") for p in parsed.problems)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(_FIELDS), _scalars, max_size=8), st.text(min_size=1, max_size=10))
def test_arbitrary_field_values_give_problems_not_tracebacks(tmp_path_factory, fields: dict, name: str) -> None:
    body = "\n".join(f"{key} = {_toml_value(value)}" for key, value in fields.items())
    quoted = name.encode("unicode_escape").decode("ascii").replace('"', '\\"')
    text = f'schema_version = 1\n[models."{quoted}"]\n{body}\n'
    path = tmp_path_factory.mktemp("fuzz") / "models.toml"
    path.write_text(text, encoding="utf-8")
    catalog, problems = validate_file(path)
    for problem in problems:
        assert "\n" not in str(problem)
    if not problems:
        assert len(catalog.models) == 1


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=200))
def test_validate_command_on_arbitrary_text_exits_cleanly(tmp_path_factory, text: str) -> None:
    from asr_registry.cli.validate_cmd import command

    path = tmp_path_factory.mktemp("cli") / "models.toml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(command, [str(path), "--no-nemo"])
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
