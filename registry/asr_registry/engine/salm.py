"""Speech-augmented language models (family ``salm``, e.g. canary-qwen-2.5b) through NeMo's
speechlm2 collection.

They are no `ASRModel`: `nemo.collections.speechlm2.models.SALM` couples a FastConformer
encoder to a Hugging Face LLM and answers a chat prompt in which `model.audio_locator_tag`
marks where the audio goes. The engine calls its generate API with pre-loaded audio::

    ids = model.generate(prompts=[[{"role": "user", "content": f"Transcribe the following: {tag}"}], ...],
                         audios=audio, audio_lens=lengths, max_new_tokens=N)
    text = model.tokenizer.ids_to_text(ids[i])

Importing speechlm2 needs packages NeMo's `asr` extra does not bring (`peft`, for LoRA);
without them, or without the LLM in the Hugging Face cache offline, loading ends in one
RegistryError saying so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import numpy as np

from asr_registry.catalog.schema import ModelEntry
from asr_registry.engine.hub import is_offline, quiet_nemo
from asr_registry.errors import RegistryError, first_line

# A loaded speechlm2 SALM: NeMo's class, not imported for annotations.
NemoModel = Any
AUDIO_MARK = "{audio}"
# Tokens generated per second of audio, and at least: digits to long-form speech fit.
TOKENS_PER_SECOND = 8
MIN_NEW_TOKENS = 32


def import_salm(entry: ModelEntry) -> Any:
    """The speechlm2 SALM class, or a RegistryError naming what is missing."""
    quiet_nemo()
    try:
        from nemo.collections.speechlm2.models import SALM
    except ImportError as exc:
        missing = getattr(exc, "name", None) or str(exc)
        raise RegistryError(
            f"model {entry.name} is a SALM (speech LLM): NeMo's speechlm2 collection cannot be imported "
            f"here ({type(exc).__name__}: {missing}); install it with `pip install peft` next to nemo_toolkit"
        ) from None
    return SALM


def load_salm(entry: ModelEntry, device: str, path: Path | None = None) -> NemoModel:
    """`SALM.from_pretrained` (a hub repo, or a local checkpoint folder), eval mode on `device`."""
    salm_cls = import_salm(entry)
    name = str(path) if path is not None else entry.source.hf
    if not name:
        raise RegistryError(f"model {entry.name}: a SALM loads from a Hugging Face repo (source.hf) or a folder")
    try:
        pinned = {"revision": entry.source.revision} if path is None and entry.source.revision else {}
        model = salm_cls.from_pretrained(name, **pinned)
    except Exception as exc:
        hint = " (HF_HUB_OFFLINE is set and it is not in the Hugging Face cache)" if is_offline() else ""
        raise RegistryError(f"model {entry.name}: cannot load SALM {name}: {first_line(exc)}{hint}") from None
    import torch

    model = model.to(torch.device(device))
    model.eval()
    return model


def is_salm(model: NemoModel) -> bool:
    return hasattr(model, "audio_locator_tag") and hasattr(model, "generate") and hasattr(model, "llm")


def salm_forward(
    model: NemoModel,
    audio: Sequence[np.ndarray],
    prompts: Sequence[Mapping[str, str]],
    sample_rate: int,
    device: str,
    autocast: Callable[[], AbstractContextManager[object]],
) -> list[str]:
    """One batch through `SALM.generate`; each prompt's instruction gets the audio tag."""
    import torch

    tag = model.audio_locator_tag
    turns = []
    for prompt in prompts:
        instruction = prompt["instruction"]
        content = instruction.replace(AUDIO_MARK, tag) if AUDIO_MARK in instruction else f"{instruction} {tag}"
        turns.append([{"role": "user", "content": content}])
    lengths = np.fromiter((len(a) for a in audio), dtype=np.int64, count=len(audio))
    padded = np.zeros((len(audio), int(lengths.max())), dtype=np.float32)
    for row, samples in enumerate(audio):
        padded[row, : len(samples)] = samples
    target = torch.device(device)
    new_tokens = max(MIN_NEW_TOKENS, int(TOKENS_PER_SECOND * lengths.max() / sample_rate))
    with torch.inference_mode(), autocast():
        ids = model.generate(
            prompts=turns,
            audios=torch.from_numpy(padded).to(target),
            audio_lens=torch.from_numpy(lengths).to(target),
            max_new_tokens=new_tokens,
        )
    return [str(model.tokenizer.ids_to_text(row.cpu())).strip() for row in ids]
