"""Modes are subcommands: `bench compare`, `shadow bench`, `shadow claims`; `bench [MODEL]...` and
`shadow NAME` still run as before, and the old mode flags are a one-line error naming the subcommand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from asr_registry.cli import cli
from tests.support import cli_env, run_cli


@pytest.mark.parametrize(
    ("args", "replacement"),
    [
        (["bench", "--compare", "a.json", "b.json"], "asr-registry bench compare OLD NEW"),
        (["bench", "digits_ctc", "--shadow", "x"], "asr-registry shadow bench NAME"),
        (["shadow", "--claims"], "asr-registry shadow claims [NAME]"),
    ],
)
def test_old_mode_flags_are_one_line_errors_naming_the_subcommand(args: list[str], replacement: str) -> None:
    done = run_cli(*args, env=cli_env(ASR_REGISTRY_LOAD_PLUGINS="digits"))
    assert done.returncode == 2 and done.stderr == f"error: {_flag(args)} is now a subcommand: {replacement}\n"


def _flag(args: list[str]) -> str:
    return next(a for a in args if a.startswith("--"))


@pytest.mark.parametrize(("group", "subcommands"), [("bench", ["compare"]), ("shadow", ["bench", "claims"])])
def test_help_lists_the_subcommands_beside_the_commands_own_options(group: str, subcommands: list[str]) -> None:
    done = CliRunner().invoke(cli, [group, "--help"])
    assert done.exit_code == 0
    commands = done.output.split("Commands:")[1]
    assert all(f"  {name} " in commands for name in subcommands)
    assert "--json" in done.output.split("Commands:")[0]
    assert "--compare" not in done.output and "--claims" not in done.output and "--shadow " not in done.output


def test_bench_compare_runs_and_a_model_name_before_options_still_benches(tmp_path: Path) -> None:
    report = {"benchmarks": [{"name": "m[d]", "extra_info": {"wer": 1.0, "rtfx": 100.0}}]}
    old = tmp_path / "old.json"
    old.write_text(json.dumps(report))
    done = CliRunner().invoke(cli, ["bench", "compare", str(old), str(old), "--json"])
    assert done.exit_code == 0, done.output
    assert {c["status"] for c in json.loads(done.output)} == {"same"}
    # A first argument that is not a subcommand is a model, parsed with options around it.
    refused = CliRunner().invoke(cli, ["bench", "digits_ctc", "--sweep", "a,b"])
    assert refused.exit_code == 2 and "--sweep: 'a,b' is not a comma-separated list" in refused.output


def test_shadow_claims_lists_one_models_resource_claims() -> None:
    done = CliRunner().invoke(cli, ["shadow", "claims", "stt_en_conformer_ctc_small", "--json"])
    assert done.exit_code == 0, done.output
    rows = json.loads(done.output)
    assert rows and all("stt_en_conformer_ctc_small" in r["scope"] for r in rows)
    usage = CliRunner().invoke(cli, ["shadow", "bench", "--help"])
    assert usage.output.startswith("Usage: cli shadow bench [OPTIONS] NAME")  # the group's NAME is not on its path
