"""`list`, `show`, `select`, `validate` and `plugins` through the installed console script."""

from __future__ import annotations

import json
import sys

import pytest

from tests.support import SOURCES, cli_env, minimal_model, run_cli

# Built-in plugins only, so that other installed plugins cannot change the answers.
BUILTIN = cli_env(ASR_REGISTRY_LOAD_PLUGINS="")


def _run(*args: str):
    return run_cli(*args, env=BUILTIN)


def test_list_filters_by_language_and_status() -> None:
    result = _run("list", "--language", "de", "--json")
    assert result.returncode == 0, result.stderr
    models = json.loads(result.stdout)
    assert models and all("de" in m["languages"] for m in models)
    assert "stt_de_fastconformer_hybrid_large_pc" in {m["name"] for m in models}
    unverified = json.loads(_run("list", "--status", "unverified", "--json").stdout)
    assert "stt_en_fastconformer_telephony_large" in {m["name"] for m in unverified}
    table = _run("list")
    assert table.returncode == 0 and "stt_en_fastconformer_hybrid_large_pc" in table.stdout


def test_show_prints_claims_with_their_sources() -> None:
    result = _run("show", "nvidia/parakeet-tdt-0.6b-v2")
    assert result.returncode == 0, result.stderr
    assert "librispeech test-clean" in result.stdout
    assert "huggingface/open_asr_leaderboard" in result.stdout
    data = json.loads(_run("show", "parakeet-tdt-0.6b-v2", "--json").stdout)
    assert data["model"]["status"] == "published"
    assert all(c["source"] in data["sources"] for c in data["model"]["claims"])


def test_show_marks_unverified_names_and_their_substitutes() -> None:
    result = _run("show", "stt_en_fastconformer_hybrid_small_pc")
    assert result.returncode == 0
    assert "UNVERIFIED" in result.stdout and "substitutes:" in result.stdout


def test_unknown_model_is_one_line_exit_2_with_suggestion() -> None:
    result = _run("show", "parakeet-tdt-0.6b-v9")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "did you mean" in result.stderr and "Traceback" not in result.stderr


def test_select_spanish_telephony_never_picks_an_unverified_name() -> None:
    result = _run("select", "--language", "es", "--domain", "telephony", "--quality", "highest",
                  "--hours", "2000", "--gpu-memory", "16", "--json")  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["choice"]["status"] == "published"
    assert all(c["status"] == "published" for c in data["candidates"])
    assert data["choice"]["batch_size"] > 0 and data["choice"]["precision"] in ("fp32", "fp16", "bf16")
    assert all(c["reasons"] for c in data["candidates"])


def test_select_telephony_reports_the_howto_model_as_unverified() -> None:
    result = _run("select", "--language", "en", "--domain", "telephony")
    assert result.returncode == 0, result.stderr
    assert "stt_en_fastconformer_telephony_large: unverified" in result.stdout
    flagged = _run("select", "--language", "en", "--domain", "telephony", "--allow-unverified", "--top", "50")
    assert "[UNVERIFIED]" in flagged.stdout


def test_select_uncovered_language_lists_the_available_ones() -> None:
    result = _run("select", "--language", "sw")
    assert result.returncode == 2
    assert result.stderr.startswith("error: no model covers language 'sw'; available: ")
    assert "es (Spanish)" in result.stderr and result.stderr.count("\n") == 1


def test_select_bad_language_code_is_a_usage_error() -> None:
    result = _run("select", "--language", "klingon")
    assert result.returncode == 2 and "--language: 'klingon'" in result.stderr


def test_validate_reports_precise_errors(tmp_path) -> None:
    bad = tmp_path / "models.toml"
    bad.write_text(SOURCES + minimal_model("foo", languages='["eng"]'))
    result = _run("validate", str(bad), "--no-nemo")
    assert result.returncode == 1
    assert "models.toml:12: models.foo.languages: unknown language code 'eng'" in result.stdout
    assert _run("validate", str(tmp_path / "absent.toml")).returncode == 2


def test_validate_shipped_catalog_is_clean() -> None:
    result = _run("validate", "--no-nemo")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 problem(s)" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("list",),
        ("show", "stt_en_fastconformer_hybrid_large_pc"),
        ("select", "--language", "es", "--domain", "telephony"),
        ("validate", "--no-nemo"),
        ("plugins",),
    ],
)
def test_catalog_commands_never_import_torch_or_nemo(args: tuple[str, ...]) -> None:
    probe = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('HEAVY=' + ','.join(sorted({m.split('.')[0] for m in sys.modules} "
        "& {'torch', 'nemo', 'lightning', 'numpy'})), file=sys.stderr))\n"
        "from asr_registry.cli import main\n"
        f"sys.argv = ['asr-registry', *{list(args)!r}]\n"
        "main()\n"
    )
    import subprocess

    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=cli_env())
    assert done.returncode == 0, done.stderr
    assert "HEAVY=\n" in done.stderr, done.stderr
