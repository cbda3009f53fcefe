"""The bases in architectures.toml restate the NeMo configs they cite, value for value.

The published values live in a committed fixture (`fixtures/nemo_configs.json`: for each base,
the value the cited YAML at `nemo_commit` gives for every key the base sets), so the check runs
everywhere. Where a git mirror of github.com/NVIDIA/NeMo is at hand (NEMO_REPO_GIT, default the
mirror this project's tools fetch into), a second test re-derives the fixture from the YAML
itself. Deliberate differences are listed with their reason: every other key must equal the
published YAML.
"""

from __future__ import annotations

import json
import os
import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from asr_registry.shadow import specs

FIXTURE = Path(__file__).with_name("fixtures") / "nemo_configs.json"
MIRROR = Path(os.environ.get("NEMO_REPO_GIT", "/work/.mirror/NVIDIA+NeMo/repo"))
DELIBERATE = {
    "preprocessor.sample_rate": "the YAML interpolates ${model.sample_rate}; 16000 in every config",
    "encoder.use_bias": "ConformerEncoder's default (True), spelled out so overrides can turn it off",
    "decoder.feat_in": "null in the YAML (the model fills it in); the same value written as the interpolation",
    "decoding.strategy": "greedy_batch, the YAML's default strategy where it names none",
    "joint.fuse_loss_wer": "a training-time fusion (needs fused_batch_size); off for inference",
    "aux_ctc.decoding.strategy": "greedy_batch: the same result as greedy, batched",
    "prompt_format": "the YAML leaves it to the user (???); the flash checkpoints use canary2",
    "transf_encoder.inner_size": "the YAML's ${multiply:...} resolver, evaluated (4 x hidden)",
    "transf_decoder.config_dict.inner_size": "the YAML's ${multiply:...} resolver, evaluated (4 x hidden)",
    "loss.label_smoothing": "the YAML interpolates ${model.label_smoothing} = 0.0",
}


def _flat(block: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in block.items():
        if isinstance(value, dict):
            yield from _flat(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def _published(path: str, commit: str) -> dict[str, Any]:
    import yaml

    done = subprocess.run(["git", f"--git-dir={MIRROR}", "show", f"{commit}:{path}"], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"{path} at {commit[:12]} is not in the NeMo mirror {MIRROR}")
    return yaml.safe_load(done.stdout)["model"]


def _architectures() -> dict[str, Any]:
    return tomllib.loads(Path(specs.architectures_path()).read_text(encoding="utf-8"))


def _published_values(raw: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{base: {dotted key: the value the cited config gives, or "<missing>"}} from the mirror."""
    found: dict[str, dict[str, Any]] = {}
    for key, base in raw["bases"].items():
        published = _published(base["config"].split(" + TDT block of ")[-1], raw["nemo_commit"])
        values = {}
        for dotted, _ in _flat(base.get("model", {})):
            node: Any = published
            for part in dotted.split("."):
                node = node.get(part, "<missing>") if isinstance(node, dict) else "<missing>"
            values[dotted] = node
        found[key] = values
    return found


def test_bases_restate_the_published_configs() -> None:
    raw = _architectures()
    fixture = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert fixture["nemo_commit"] == raw["nemo_commit"], "regenerate the fixture for the new commit"
    differences = []
    for key, base in raw["bases"].items():
        published = fixture["bases"][key]
        for dotted, value in _flat(base.get("model", {})):
            node = published[dotted]
            ours = None if value == "None" else value
            if node != ours and node != value and dotted not in DELIBERATE:
                differences.append(f"bases.{key}: {dotted} = {value!r}, the config says {node!r}")
    assert differences == []


def test_a_changed_value_is_found() -> None:
    raw = _architectures()
    key, base = next((k, b) for k, b in raw["bases"].items() if "encoder" in b.get("model", {}))
    fixture = json.loads(FIXTURE.read_text(encoding="utf-8"))
    dotted, value = next((d, v) for d, v in _flat(base["model"]) if isinstance(v, int) and d not in DELIBERATE)
    assert fixture["bases"][key][dotted] == value
    assert fixture["bases"][key][dotted] != value + 1


@pytest.mark.skipif(not MIRROR.is_dir(), reason="no git mirror of NVIDIA/NeMo (set NEMO_REPO_GIT)")
def test_the_fixture_is_what_the_configs_say() -> None:
    raw = _architectures()
    fixture = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert fixture == {"nemo_commit": raw["nemo_commit"], "bases": _published_values(raw)}


if __name__ == "__main__":  # regenerate: python -m tests.shadow.test_provenance
    raw = _architectures()
    FIXTURE.parent.mkdir(exist_ok=True)
    data = {"nemo_commit": raw["nemo_commit"], "bases": _published_values(raw)}
    FIXTURE.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
