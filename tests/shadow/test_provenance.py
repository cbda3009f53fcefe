"""The bases in architectures.toml restate the NeMo configs they cite, value for value.

Needs a git mirror of github.com/NVIDIA/NeMo holding `nemo_commit` (NEMO_REPO_GIT, default the
mirror this project's tools fetch into); skipped without one. Deliberate differences are listed
with their reason: every other key must equal the published YAML.
"""

from __future__ import annotations

import os
import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from asr_registry.shadow import specs

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


@pytest.mark.skipif(not MIRROR.is_dir(), reason="no git mirror of NVIDIA/NeMo (set NEMO_REPO_GIT)")
def test_bases_restate_the_published_configs() -> None:
    raw = tomllib.loads(Path(specs.architectures_path()).read_text(encoding="utf-8"))
    differences = []
    for key, base in raw["bases"].items():
        published = _published(base["config"].split(" + TDT block of ")[-1], raw["nemo_commit"])
        for dotted, value in _flat(base.get("model", {})):
            node: Any = published
            for part in dotted.split("."):
                node = node.get(part, "<missing>") if isinstance(node, dict) else "<missing>"
            ours = None if value == "None" else value
            if node != ours and node != value and dotted not in DELIBERATE:
                differences.append(f"bases.{key}: {dotted} = {value!r}, the config says {node!r}")
    assert differences == []
