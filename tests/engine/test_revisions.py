"""A catalog entry pinned to a Hugging Face revision loads that revision, offline from the hub cache
(NeMo's from_pretrained takes no revision), and reports record it; an unpinned --hf-dataset names its own."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from asr_registry.catalog.reader import parse_catalog_text
from asr_registry.catalog.validation import check_entry
from tests.engine.helpers import CTC_NEMO, TEST_MANIFEST
from tests.support import cli_env, invoke_cli

COMMIT = "1" * 40
CATALOG = """\
schema_version = 1

[models.t-pinned]
status = "published"
source = {{ hf = "nvidia/t-pinned", revision = "{revision}" }}
architecture = "conformer"
family = "ctc"
decoders = ["ctc"]
size = "tiny"
languages = ["en"]
"""


def _env(tmp_path: Path, revision: str) -> tuple[dict[str, str], Path]:
    """A catalog pinning `revision` and an HF cache (the network boundary) holding the checkpoint at tag v1."""
    catalog = tmp_path / f"models-{revision}.toml"
    catalog.write_text(CATALOG.format(revision=revision), encoding="utf-8")
    cache = tmp_path / "cache"
    repo = cache / "huggingface" / "models--nvidia--t-pinned"
    if not repo.is_dir():
        (repo / "refs").mkdir(parents=True)
        (repo / "refs" / "v1").write_text(COMMIT, encoding="utf-8")
        checkpoint = repo / "snapshots" / COMMIT / "t-pinned.nemo"
        checkpoint.parent.mkdir(parents=True)
        shutil.copy(CTC_NEMO, checkpoint)
    return cli_env(
        ASR_REGISTRY_CATALOG=str(catalog), ASR_REGISTRY_LOAD_PLUGINS="", ASR_REGISTRY_CACHE=str(cache)
    ), cache


def _manifest(tmp_path: Path) -> Path:
    rows = [json.loads(line) for line in TEST_MANIFEST.read_text(encoding="utf-8").splitlines()[:8]]
    path = tmp_path / "in.jsonl"
    lines = [json.dumps({**r, "audio_filepath": str(TEST_MANIFEST.parent / r["audio_filepath"])}) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_pinned_revision_loads_offline_from_the_hub_cache_and_the_report_records_it(tmp_path: Path) -> None:
    env, _ = _env(tmp_path, "v1")
    manifest = _manifest(tmp_path)
    shown = invoke_cli("show", "t-pinned", env=env)
    assert "hf:nvidia/t-pinned@v1" in shown.stdout
    result = invoke_cli("bench", "t-pinned", "--manifest", str(manifest), "--rounds", "1", "--json", env=env)
    assert result.returncode == 0, result.stderr
    (run,) = json.loads(result.stdout)["runs"]
    assert (run["model_revision"], run["utterances"]) == ("v1", 8)
    assert run["measurement"]["wer"] < 50  # the digits model itself, not noise


def test_a_revision_that_is_not_cached_offline_is_one_line_naming_it(tmp_path: Path) -> None:
    env, _ = _env(tmp_path, "v2")
    out = tmp_path / "out.jsonl"
    result = invoke_cli("transcribe", str(_manifest(tmp_path)), "--model", "t-pinned", "--out", str(out), env=env)
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert "t-pinned (hf:nvidia/t-pinned@v2) is not cached" in line and "revision v2: HF_HUB_OFFLINE is set" in line


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ('{ ngc = "x", revision = "v1" }', "a revision pins a Hugging Face checkpoint: give hf too"),
        ('{ hf = "nvidia/x", revision = "v 1" }', "'v 1' is not a commit, tag or branch name"),
    ],
)
def test_a_revision_needs_a_hub_repo_and_a_ref_name(source: str, problem: str) -> None:
    text = CATALOG.replace('{{ hf = "nvidia/t-pinned", revision = "{revision}" }}', source)
    catalog = parse_catalog_text(text, "models.toml")
    assert [message for _, message in check_entry(catalog.models["t-pinned"])] == [problem]


def test_a_local_dataset_takes_no_revision(tmp_path: Path) -> None:
    env, _ = _env(tmp_path, "v1")
    result = invoke_cli("bench", "t-pinned", "--hf-dataset", str(tmp_path), "--revision", "abc", env=env)
    assert result.returncode == 2
    assert result.stderr.strip() == f"error: --revision abc: {tmp_path} is a local dataset; a revision pins a hub one"
