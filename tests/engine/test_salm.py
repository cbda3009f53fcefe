"""SALM (speech LLM, canary-qwen-2.5b's family) through NeMo's speechlm2 `SALM` and its generate API.

No pretrained LLM can be had offline, so the real path is shown on a randomly initialised tiny
SALM built here: a 1-layer Llama with a word-level tokenizer made on the spot, and the digits
plugin's hybrid model as the speech encoder. speechlm2 needs `peft` (and `accelerate`), which
NeMo's asr extra does not install: without them that test is skipped and the catalog's SALM
must end in a one-line error, which the first test checks either way.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from asr_registry.catalog.schema import ModelSource
from asr_registry.engine import Engine, EngineOptions
from asr_registry.engine.prompts import PromptOptions
from tests.engine.helpers import DIGITS_DATA, HYBRID_NEMO
from tests.support import catalog_entry, cli_env, invoke_cli

pytestmark = pytest.mark.slow

WORDS = "zero one two three four five six seven eight nine oh point double transcribe the following :"


def test_a_salm_that_cannot_load_is_a_one_line_error(tmp_path: Path) -> None:
    manifest = DIGITS_DATA / "test" / "manifest.jsonl"
    result = invoke_cli(
        "transcribe",
        str(manifest),
        "--model",
        "canary-qwen-2.5b",
        "--out",
        str(tmp_path / "o.jsonl"),
        env=cli_env(ASR_REGISTRY_LOAD_PLUGINS="", ASR_REGISTRY_CACHE=str(tmp_path / "cache")),
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
    assert "canary-qwen-2.5b" in result.stderr and "SALM" in result.stderr
    if importlib.util.find_spec("peft") is None:
        assert "speechlm2 collection cannot be imported" in result.stderr and "peft" in result.stderr
    assert not (tmp_path / "o.jsonl.partial").exists()


@pytest.fixture(scope="module")
def tiny_salm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("peft", reason="NeMo's speechlm2 (SALM) needs peft, not part of nemo_toolkit[asr]")
    pytest.importorskip("accelerate", reason="NeMo's speechlm2 (SALM) needs accelerate")
    import torch
    from nemo.collections.speechlm2.models import SALM
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import AutoModelForCausalLM, LlamaConfig, PreTrainedTokenizerFast

    # Random weights from a fixed seed: from whatever state earlier tests left the global RNG in,
    # one full run's order built a model that ends every answer at once (three empty transcripts).
    torch.manual_seed(0)
    root = tmp_path_factory.mktemp("salm")
    llm = root / "llm"
    words = Tokenizer(models.WordLevel(unk_token="<unk>"))
    words.pre_tokenizer = pre_tokenizers.Whitespace()
    words.train_from_iterator([WORDS], trainers.WordLevelTrainer(special_tokens=["<unk>", "<s>", "</s>", "<pad>"]))
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=words, bos_token="<s>", eos_token="</s>", unk_token="<unk>", pad_token="<pad>"
    )
    tokenizer.save_pretrained(llm)
    config = LlamaConfig(
        vocab_size=len(tokenizer) + 8,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=1,
        num_attention_heads=2,
        num_key_value_heads=1,
        max_position_embeddings=256,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    AutoModelForCausalLM.from_config(config).save_pretrained(llm)
    adapter = {
        "_target_": "nemo.collections.asr.modules.ConformerEncoder",
        "feat_in": 96,
        "feat_out": -1,
        "n_layers": 1,
        "d_model": 32,
        "subsampling": "dw_striding",
        "subsampling_factor": 1,
        "subsampling_conv_channels": 32,
        "ff_expansion_factor": 2,
        "self_attention_model": "rel_pos",
        "n_heads": 2,
        "conv_kernel_size": 9,
        "dropout": 0.0,
        "dropout_pre_encoder": 0.0,
        "dropout_emb": 0.0,
        "dropout_att": 0.0,
    }
    model = SALM(
        {
            "pretrained_llm": str(llm),
            "pretrained_asr": str(HYBRID_NEMO),
            "pretrained_weights": True,
            "freeze_params": [],
            "prevent_freeze_params": [],
            "prompt_format": "llama2",
            "audio_locator_tag": "<|audioplaceholder|>",
            "perception": {
                "target": "nemo.collections.speechlm2.modules.perception.AudioPerceptionModule",
                "modality_adapter": adapter,
            },
            "optimizer": {"_target_": "torch.optim.AdamW", "lr": 1e-4},
        }
    )
    model.save_pretrained(str(root / "salm"))
    return root / "salm"


def test_a_random_tiny_salm_runs_through_generate(tiny_salm: Path) -> None:
    import soundfile as sf
    import torch

    entry = catalog_entry(
        "t-salm", "salm", source=ModelSource(path=str(tiny_salm)), decoders=("llm",), prompt=("instruction",)
    )
    instruction = "transcribe the following : {audio}"
    engine = Engine(entry, EngineOptions(device="cpu", batch_size=2, prompt=PromptOptions(instruction=instruction)))
    rows = [json.loads(line) for line in (DIGITS_DATA / "test" / "manifest.jsonl").read_text().splitlines()[:3]]
    paths = [str(DIGITS_DATA / "test" / r["audio_filepath"]) for r in rows]
    ours = [r.text for r in engine.transcribe(paths)]
    model: Any = engine.model
    assert engine.runner.family == "salm" and type(model).__name__ == "SALM"
    theirs = []
    for path in paths:  # one at a time: no padding, NeMo's documented call
        audio, _ = sf.read(path, dtype="float32")
        turn = [{"role": "user", "content": instruction.replace("{audio}", model.audio_locator_tag)}]
        ids = model.generate(
            prompts=[turn],
            audios=torch.from_numpy(audio)[None],
            audio_lens=torch.tensor([len(audio)]),
            max_new_tokens=32,
        )
        theirs.append(model.tokenizer.ids_to_text(ids[0]).strip())
    assert ours == theirs and all(ours)
