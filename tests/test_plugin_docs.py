"""docs/plugins.md's worked example, extracted from the page itself, installed into a temporary folder
(never this venv) and run through the CLI on the bundled digits data."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.support import BIN, REPO, PluginSite, install_plugins, run_cli

PAGE = REPO / "docs" / "plugins.md"
# A fenced block at the start of a line: ```LANG or ```LANG file=PATH (the example's files name their path).
FENCE = re.compile(r"^```(\w+)(?: file=(\S+))?\n(.*?)^```$", re.MULTILINE | re.DOTALL)
EXAMPLE_FILES = {
    "asr-registry-acme/pyproject.toml",
    "asr-registry-acme/acme_asr/__init__.py",
    "asr-registry-acme/acme_asr/models.toml",
    "asr-registry-acme/acme_asr/combiners.py",
}


def _blocks() -> list[tuple[str, str, str]]:
    return [(m.group(1), m.group(2) or "", m.group(3)) for m in FENCE.finditer(PAGE.read_text(encoding="utf-8"))]


def _digits_manifest() -> Path:
    import asr_registry_digits

    return Path(asr_registry_digits.__file__).parent / "data" / "test" / "manifest.jsonl"


def _first_rows(folder: Path, count: int = 40) -> Path:
    """The first rows of the digits test set, audio paths made absolute: model loading, not audio, is the cost."""
    source = _digits_manifest()
    rows = [json.loads(line) for line in source.read_text().splitlines()[:count]]
    for row in rows:
        row["audio_filepath"] = str(source.parent / row["audio_filepath"])
    manifest = folder / "digits-test-head.jsonl"
    manifest.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return manifest


@pytest.fixture(scope="module")
def acme(tmp_path_factory: pytest.TempPathFactory) -> PluginSite:
    root = tmp_path_factory.mktemp("acme")
    files = {path: body for _, path, body in _blocks() if path}
    assert set(files) == EXAMPLE_FILES
    for path, body in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(body, encoding="utf-8")
    # The page's checkpoint step, run as the page shows it (with this venv's python first on PATH).
    step = next(body for lang, _, body in _blocks() if lang == "bash" and "checkpoints" in body)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    subprocess.run(["bash", "-euc", step], cwd=root, env=env, check=True, capture_output=True, text=True)
    return install_plugins(root / "site", root / "asr-registry-acme")


def _env(site: PluginSite) -> dict[str, str]:
    return site.env(ASR_REGISTRY_LOAD_PLUGINS="acme,digits")


def test_plugins_lists_the_example_its_model_and_its_combiner(acme: PluginSite) -> None:
    result = run_cli("plugins", "--json", env=_env(acme))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    plugin = next(p for p in data["plugins"] if p["name"] == "acme")
    assert plugin["version"] == "0.1.0" and plugin["error"] == ""
    assert plugin["hooks"] == ["register_combiners", "register_models"] and plugin["models"] == 1
    assert {c["name"]: c["plugin"] for c in data["combiners"]}["first-confident"] == "acme"
    table = run_cli("plugins", env=_env(acme)).stdout
    assert "first-confident" in table and "acme" in table


def test_the_example_model_is_listed_shown_validated_and_kept_to_its_domain(acme: PluginSite) -> None:
    listed = run_cli("list", "--language", "en", "--json", env=_env(acme))
    assert listed.returncode == 0, listed.stderr
    entry = next(m for m in json.loads(listed.stdout) if m["name"] == "acme_digits_ctc")
    assert entry["plugin"] == "acme" and entry["domains"] == ["digits"]

    shown = run_cli("show", "acme_digits_ctc", env=_env(acme))
    assert shown.returncode == 0, shown.stderr
    assert "ACME evaluation" in shown.stdout and "9.39" in shown.stdout

    toml = acme.path / "acme_asr" / "models.toml"
    validated = run_cli("validate", str(toml), "--no-nemo", env=_env(acme))
    assert validated.returncode == 0, validated.stdout + validated.stderr

    general = json.loads(run_cli("select", "-l", "en", "--json", env=_env(acme)).stdout)
    assert {"model": "acme_digits_ctc", "reason": "made for digits only, not for general audio"} in general["excluded"]
    digits = json.loads(
        run_cli("select", "-l", "en", "--domain", "digits", "--top", "200", "--json", env=_env(acme)).stdout
    )
    ranked = next(c for c in digits["candidates"] if c["model"] == "acme_digits_ctc")
    assert "claimed by plugin 'acme', not the catalog" in ranked["error_basis"]


def test_the_example_combiner_runs_an_ensemble_on_the_digits_data(acme: PluginSite, tmp_path: Path) -> None:
    out = tmp_path / "acme.jsonl"
    members = ("acme_digits_ctc", "digits_hybrid")
    manifest = _first_rows(tmp_path)
    result = run_cli(
        "transcribe",
        str(manifest),
        "--ensemble",
        ",".join(members),
        "--combiner",
        "first-confident:min_conf=0.95",
        "--word-confidence",
        "--out",
        str(out),
        env=_env(acme),
    )
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == len(manifest.read_text().splitlines())
    for row in rows:
        means = []
        for member in members:
            words = (row[f"pred_text_{member}"] or "").split()
            confidences = row[f"pred_word_confidence_{member}"] or []
            means.append(sum(confidences) / len(confidences) if confidences and len(confidences) == len(words) else 0.0)
        sure = [i for i, mean in enumerate(means) if mean >= 0.95]
        pick = sure[0] if sure else max(range(len(members)), key=lambda i: means[i])
        assert row["pred_text"] == row[f"pred_text_{members[pick]}"], row


def test_the_example_combiner_rejects_a_bad_parameter_in_one_line(acme: PluginSite, tmp_path: Path) -> None:
    result = run_cli(
        "transcribe",
        str(_digits_manifest()),
        "--ensemble",
        "acme_digits_ctc,digits_hybrid",
        "--combiner",
        "first-confident:min_conf=2",
        "--out",
        str(tmp_path / "x.jsonl"),
        env=_env(acme),
    )
    assert result.returncode == 2
    assert result.stderr == "error: --combiner: min_conf must lie in [0, 1], got 2\n"


def test_the_page_states_the_memory_estimate_select_uses() -> None:
    from asr_registry.sizing.policy import ACTIVATION_GB_PER_UTTERANCE, RUNTIME_ALLOWANCE_GB

    text = " ".join(PAGE.read_text(encoding="utf-8").split())
    assert f"plus {RUNTIME_ALLOWANCE_GB:g} GB for the CUDA runtime, plus {ACTIVATION_GB_PER_UTTERANCE:g} GB per" in text
