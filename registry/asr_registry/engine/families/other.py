"""Speech LLMs (SALM, through `engine/salm.py`) and the generic fallback (`model.transcribe()`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from asr_registry.engine.families.base import FamilyRunner, NemoModel, best
from asr_registry.engine.prompts import INSTRUCTION
from asr_registry.engine.values import Hyp


class SALMRunner(FamilyRunner):
    """A speechlm2 `SALM`: an instruction prompt per input, text from `SALM.generate`."""

    family = "salm"
    default_prompt_style = INSTRUCTION
    decoder_limited = True

    @classmethod
    def matches(cls, model: NemoModel) -> bool:
        from asr_registry.engine.salm import is_salm

        return is_salm(model)

    @property
    def needs_prompts(self) -> bool:
        return True

    def _forward(self, audio: Sequence[np.ndarray], prompts: Sequence[Mapping[str, str]]) -> list[Hyp]:
        from asr_registry.engine.salm import salm_forward

        texts = salm_forward(self.model, audio, prompts, self.sample_rate, self.device, self.autocast)
        return [self.convert(text) for text in texts]


class GenericRunner(FamilyRunner):
    """Any other model class with NeMo's `transcribe()`: one call per batch, no word timestamps."""

    family = "generic"

    @classmethod
    def matches(cls, model: NemoModel) -> bool:
        return callable(getattr(model, "transcribe", None))

    def _forward(self, audio: Sequence[np.ndarray], prompts: Sequence[Mapping[str, str]]) -> list[Hyp]:
        import torch

        with torch.inference_mode(), self.autocast():
            out = self.model.transcribe(
                audio=list(audio), batch_size=len(audio), return_hypotheses=True, verbose=False, num_workers=0
            )
        if isinstance(out, tuple):  # some models return (best, all)
            out = out[0]
        return [self.convert(h) for h in best(out)]
