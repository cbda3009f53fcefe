"""Numbers that are numbers, JSON that is JSON: every float option refuses NaN, infinity and
absurd values with a one-line usage error (exit 2, no traceback) before any work starts, and
every `--json` output parses with a strict JSON parser (no NaN, no Infinity)."""

from __future__ import annotations

import json
import math

import pytest
from click.testing import CliRunner

from asr_registry.cli import cli
from asr_registry.cli.output import echo_json
from tests.support import cli_env

MANIFEST = "plugins/asr-registry-digits/asr_registry_digits/data/test/manifest.jsonl"
FLOAT_OPTIONS = [
    ("select", "--gpu-memory"),
    ("select", "--max-seconds"),
    ("select", "--hours"),
    ("transcribe", "--max-audio-seconds"),
    ("transcribe", "--max-batch-seconds"),
    ("transcribe", "--chunk-overlap"),
    ("transcribe", "--gpus-per-worker"),
    ("bench", "--memory-budget"),
]


def _invoke(*args: str):
    return CliRunner().invoke(cli, list(args), env=cli_env(), catch_exceptions=False)


def _args(command: str, option: str, value: str) -> list[str]:
    if command == "transcribe":
        return [command, MANIFEST, "--model", "digits_ctc", option, value]
    if command == "bench":
        return [command, "digits_ctc", option, value]
    return [command, option, value]


@pytest.mark.parametrize(("command", "option"), FLOAT_OPTIONS)
@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e308", "-1", "ten"])
def test_a_float_option_refuses_what_is_not_a_sane_number(command: str, option: str, value: str) -> None:
    if value == "-1" and option in ("--chunk-overlap", "--hours", "--gpus-per-worker"):
        value = "-0.5"
    result = _invoke(*_args(command, option, value))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert f"Invalid value for '{option}'" in result.output
    assert any(word in result.output for word in ("not a finite number", "out of range", "not a number"))


def strict_loads(text: str) -> object:
    def refuse(constant: str) -> object:
        raise ValueError(f"not strict JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize(
    "args",
    [
        ["select", "-l", "en", "--json"],
        ["select", "-l", "es", "--hours", "1000", "--gpu-memory", "80", "--json"],
        ["list", "--json"],
        ["show", "parakeet-tdt-0.6b-v3", "--json"],
        ["validate", "--no-nemo", "--json"],
        ["plugins", "--json"],
        ["doctor", "--json"],
        ["cache", "--list", "--json"],
        ["shadow", "claims", "--json"],
    ],
)
def test_every_json_output_is_strict_json(args: list[str]) -> None:
    result = CliRunner().invoke(cli, args, env=cli_env())
    assert result.exit_code in (0, 1), result.output
    strict_loads(result.stdout)


def test_non_finite_figures_become_null(capsys: pytest.CaptureFixture[str]) -> None:
    echo_json({"rtfx": math.inf, "wer": math.nan, "rows": [1.5, -math.inf]})
    assert strict_loads(capsys.readouterr().out) == {"rtfx": None, "wer": None, "rows": [1.5, None]}
