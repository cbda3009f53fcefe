"""A language-ID prompted transducer (NeMo's `EncDecRNNTBPEModelWithPrompt`, Nemotron 3.5's class): the prompt's
locale becomes `prompt_indices`, mixed into the encoder output exactly as NeMo's own `transcribe()` does.

No such checkpoint is small enough to ship, so the class is built here with random weights on the digits
hybrid model's SentencePiece tokenizer; the check is agreement with NeMo and that the prompt changes the output.
"""

from __future__ import annotations

import json
import tarfile
from pathlib import Path
from typing import Any

import pytest

from asr_registry.catalog.schema import ModelSource
from asr_registry.engine import Engine, EngineOptions
from asr_registry.engine.prompts import PromptOptions
from tests.engine.helpers import DIGITS_DATA, HYBRID_NEMO
from tests.support import catalog_entry

pytestmark = pytest.mark.slow

LOCALES = {"en-US": 0, "es-US": 1, "auto": 2}


def _config(tokenizer: Path) -> dict[str, Any]:
    conformer = {
        "_target_": "nemo.collections.asr.modules.ConformerEncoder",
        "feat_in": 64,
        "feat_out": -1,
        "n_layers": 1,
        "d_model": 48,
        "subsampling": "dw_striding",
        "subsampling_factor": 8,
        "subsampling_conv_channels": 48,
        "ff_expansion_factor": 2,
        "self_attention_model": "rel_pos",
        "n_heads": 2,
        "conv_kernel_size": 9,
    }
    return {
        "sample_rate": 16000,
        "model_defaults": {
            "enc_hidden": 48,
            "pred_hidden": 48,
            "joint_hidden": 48,
            "prompt_dictionary": LOCALES,
            "num_prompts": len(LOCALES),
            "initialize_prompt_feature": True,
        },
        "tokenizer": {"dir": str(tokenizer), "type": "bpe"},
        "preprocessor": {
            "_target_": "nemo.collections.asr.modules.AudioToMelSpectrogramPreprocessor",
            "features": 64,
            "sample_rate": 16000,
            "normalize": "per_feature",
            "dither": 0.0,
        },
        "encoder": conformer,
        "decoder": {
            "_target_": "nemo.collections.asr.modules.RNNTDecoder",
            "blank_as_pad": True,
            "prednet": {"pred_hidden": 48, "pred_rnn_layers": 1},
        },
        "joint": {
            "_target_": "nemo.collections.asr.modules.RNNTJoint",
            "jointnet": {"joint_hidden": 48, "activation": "relu"},
        },
        "decoding": {"strategy": "greedy_batch", "greedy": {"max_symbols": 3}},
        "loss": {"loss_name": "default"},
        "train_ds": None,
        "validation_ds": None,
    }


@pytest.fixture(scope="module")
def prompted(tmp_path_factory: pytest.TempPathFactory) -> Any:
    import torch
    from nemo.collections.asr.models import EncDecRNNTBPEModelWithPrompt
    from omegaconf import OmegaConf

    tokenizer = tmp_path_factory.mktemp("tokenizer")
    with tarfile.open(HYBRID_NEMO) as archive:  # the digits hybrid's SentencePiece model
        for member in archive.getmembers():
            for name in ("tokenizer.model", "tokenizer.vocab", "vocab.txt"):
                if member.name.endswith(name):
                    (tokenizer / name).write_bytes(archive.extractfile(member).read())  # type: ignore[union-attr]
    torch.manual_seed(0)
    model = EncDecRNNTBPEModelWithPrompt(cfg=OmegaConf.create(_config(tokenizer)))
    with torch.no_grad():  # let the one-hot prompt dominate the projection, so that it visibly matters
        model.prompt_kernel[0].weight[:, -len(LOCALES) :] *= 50
    return model.eval()


def test_language_prompt_matches_nemo_and_changes_the_output(prompted: Any) -> None:
    import soundfile as sf

    entry = catalog_entry(
        "t-lid", "rnnt", source=ModelSource(hf="nvidia/none"), languages=("en", "es"), prompt=("language",)
    )
    rows = [json.loads(line) for line in (DIGITS_DATA / "test" / "manifest.jsonl").read_text().splitlines()[:4]]
    paths = [str(DIGITS_DATA / "test" / r["audio_filepath"]) for r in rows]
    audio = [sf.read(p, dtype="float32")[0] for p in paths]
    outputs = {}
    for locale in ("en-US", "es-US"):
        engine = Engine(
            entry, EngineOptions(device="cpu", batch_size=1, prompt=PromptOptions(language=locale)), model=prompted
        )
        ours = [r.text for r in engine.transcribe(paths)]
        # NeMo 3.0 takes `target_lang` for in-memory audio (a list of paths goes through a dataset
        # that ignores it); one file per batch, so padding plays no part.
        theirs = [h.text for h in prompted.transcribe(audio, batch_size=1, verbose=False, target_lang=locale)]
        assert engine.runner.prompt_dictionary == LOCALES
        assert ours == theirs
        outputs[locale] = ours
    assert outputs["en-US"] != outputs["es-US"]
    # A bare language resolves to its locale in the model's prompt dictionary.
    engine = Engine(
        entry, EngineOptions(device="cpu", batch_size=1, prompt=PromptOptions(language="es")), model=prompted
    )
    assert [r.text for r in engine.transcribe(paths)] == outputs["es-US"]
