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
    result = _run(
        "select",
        "--language",
        "es",
        "--domain",
        "telephony",
        "--quality",
        "highest",
        "--hours",
        "2000",
        "--gpu-memory",
        "16",
        "--json",
    )
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
    flagged = _run("select", "--language", "en", "--domain", "telephony", "--allow-unverified", "--top", "500")
    assert "[UNVERIFIED]" in flagged.stdout


def test_select_uncovered_language_lists_the_available_ones() -> None:
    result = _run("select", "--language", "sw")
    assert result.returncode == 2
    assert result.stderr.startswith("error: no model covers language 'sw'; available: ")
    assert "es (Spanish)" in result.stderr and result.stderr.count("\n") == 1


def test_select_bad_language_code_is_a_usage_error() -> None:
    result = _run("select", "--language", "klingon")
    assert result.returncode == 2 and "--language: 'klingon'" in result.stderr


def test_select_accepts_every_documented_domain_and_rejects_others_in_one_line() -> None:
    result = _run("select", "--language", "en", "--domain", "meeting")
    assert result.returncode == 0, result.stderr
    assert "note: no published model is made for 'meeting'; ranked general models instead" in result.stdout
    assert "meeting" in _run("select", "--help").stdout
    bad = _run("select", "--language", "en", "--domain", "karaoke")
    assert bad.returncode == 2 and bad.stderr.startswith("error: --domain: unknown domain 'karaoke'; known: ")
    assert bad.stderr.count("\n") == 1


def test_select_with_the_digits_plugin_never_offers_a_digits_model_for_english() -> None:
    digits = cli_env(ASR_REGISTRY_LOAD_PLUGINS="digits")
    for args in (("--quality", "fastest"), ("--hours", "5000"), ("--gpu-memory", "8"), ()):
        result = run_cli("select", "-l", "en", *args, "--top", "50", "--json", env=digits)
        assert result.returncode == 0, result.stderr
        data = json.loads(result.stdout)
        assert not [c["model"] for c in data["candidates"] if c["plugin"] == "digits"], args
        assert {"model": "digits_hybrid", "reason": "made for digits only, not for general audio"} in data["excluded"]


def test_select_on_a_2_gb_gpu_never_takes_a_600m_model() -> None:
    result = _run("select", "-l", "en", "--gpu-memory", "2", "--json")
    assert result.returncode == 0, result.stderr
    choice = json.loads(result.stdout)["choice"]
    assert choice["gpu_memory_fit"] == "fits" and choice["gpu_memory_gb"] <= 2 and choice["gpu_memory_basis"]
    from asr_registry.plugins.catalog_files import builtin_file

    assert (builtin_file().models[choice["model"]].parameters or 0) < 600_000_000
    wide = json.loads(_run("select", "-l", "en", "--gpu-memory", "80", "--json").stdout)["choice"]
    assert wide["batch_size"] > 16 and "default" not in wide["batch_size_basis"]


def _floats(value: object) -> list[float]:
    if isinstance(value, float):
        return [value]
    if isinstance(value, dict):
        return [f for v in value.values() for f in _floats(v)]
    if isinstance(value, list):
        return [f for v in value for f in _floats(v)]
    return []


def test_select_json_rounds_to_the_digits_it_can_stand_behind() -> None:
    result = _run("select", "-l", "en", "--top", "50", "--json")
    data = json.loads(result.stdout)
    floats = _floats(data)
    assert floats and all(len(repr(f).replace(".", "").replace("-", "").lstrip("0")) <= 6 for f in floats), floats
    for candidate in data["candidates"]:
        assert candidate["error_rate"] is None or round(candidate["error_rate"], 2) == candidate["error_rate"]
        assert candidate["rtfx"] is None or candidate["rtfx"] == int(candidate["rtfx"])


def test_select_chinese_ranks_on_cer() -> None:
    result = _run("select", "-l", "zh", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {c["error_metric"] for c in data["candidates"]} == {"cer"}
    assert all("-tier range" not in c["error_basis"] for c in data["candidates"])
    assert "CER %" in _run("select", "-l", "zh").stdout


def test_plugins_lists_combiners_and_datasets() -> None:
    result = run_cli("plugins", env=cli_env(ASR_REGISTRY_LOAD_PLUGINS="digits"))
    assert result.returncode == 0, result.stderr
    for name in ("rover", "majority", "best-confidence", "digits:test", "digits:dev"):
        assert name in result.stdout
    data = json.loads(run_cli("plugins", "--json", env=cli_env(ASR_REGISTRY_LOAD_PLUGINS="digits")).stdout)
    assert {c["name"]: c["plugin"] for c in data["combiners"]}["rover"] == "builtin-combiners"
    datasets = {d["name"]: d["plugin"] for d in data["datasets"]}
    assert datasets == {"digits:dev": "digits", "digits:test": "digits", "digits-es:test": "digits"}
    assert {p["name"]: p["models"] for p in data["plugins"]}["digits"] == 5  # ctc, hybrid, tdt, aed, streaming
    assert json.loads(_run("plugins", "--json").stdout)["datasets"] == []


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
        ("select", "--language", "en", "--gpu-memory", "2"),
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


def test_rounding_keeps_catalog_figures_and_whole_numbers_and_drops_float_noise() -> None:
    from asr_registry.cli.output import rounded

    noisy = {"a": [8.516666666666667, 0.1 + 0.2, 6399.25, 617825926.0, -0.00012345678, float("inf"), 3, True]}
    assert rounded(noisy) == {"a": [8.51667, 0.3, 6399.25, 617825926.0, -0.000123457, float("inf"), 3, True]}


def test_validating_a_plugin_file_checks_that_file_alone_without_nemo() -> None:
    import subprocess
    import sys

    from tests.support import REPO

    plugin_file = REPO / "plugins" / "asr-registry-digits" / "asr_registry_digits" / "models.toml"
    probe = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('nemo imported:', 'nemo' in sys.modules))\n"
        "from asr_registry.cli import main\n"
        f"sys.argv = ['asr-registry', 'validate', {str(plugin_file)!r}]\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=cli_env())
    assert done.returncode == 0, done.stderr
    assert "are not in the catalog" not in done.stdout
    assert "0 problem(s)" in done.stdout and "nemo imported: False" in done.stdout
