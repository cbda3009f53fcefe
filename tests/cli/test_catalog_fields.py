"""`show` and `list` print the catalog's prompt, task, locale and streaming fields; exclusions explain themselves."""

from __future__ import annotations

import json

from asr_registry.catalog.validation import validate_file
from asr_registry.plugins.catalog_files import builtin_catalog_path
from tests.support import cli_env, run_cli

BUILTIN = cli_env(ASR_REGISTRY_LOAD_PLUGINS="")


def test_show_prints_prompts_locales_and_streaming_settings() -> None:
    result = run_cli("show", "nemotron-3.5-asr-streaming-0.6b", env=BUILTIN)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "prompt:         language" in lines
    assert any(line.startswith("locales:") and "en-US" in line for line in lines)
    assert "chunk sizes:    320 ms, 80 ms, 160 ms, 560 ms, 1120 ms" in lines
    canary = run_cli("show", "canary-1b-v2", env=BUILTIN).stdout
    assert "tasks:          asr, ast" in canary and "prompt:         source_lang, target_lang, pnc" in canary


def test_an_excluded_name_is_explained_in_one_line() -> None:
    result = run_cli("show", "vad_multilingual_frame_marblenet", env=BUILTIN)
    assert result.returncode == 2
    assert "deliberately not in the catalog (not-asr)" in result.stderr and result.stderr.count("\n") == 1


def test_list_json_has_every_catalog_checkpoint_with_the_new_fields() -> None:
    result = run_cli("list", "--json", env=BUILTIN)
    assert result.returncode == 0, result.stderr
    listed = {m["name"]: m for m in json.loads(result.stdout)}
    catalog, _ = validate_file(builtin_catalog_path())
    assert set(catalog.models) <= set(listed)
    assert listed["canary-qwen-2.5b"]["family"] == "salm" and listed["canary-qwen-2.5b"]["prompt"] == ["instruction"]
    assert listed["nemotron-speech-streaming-en-0.6b"]["att_context_sizes"][0] == [70, 13]
    table = run_cli("list", "--language", "ja", env=BUILTIN)
    assert "parakeet-tdt_ctc-0.6b-ja" in table.stdout and "language" in table.stdout
