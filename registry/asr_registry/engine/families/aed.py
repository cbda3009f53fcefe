"""Attention encoder-decoder multitask models (Canary, `EncDecMultiTaskModel`).

`model.forward(processed_signal=...)` gives the encoder states and mask; each item's prompt
(`prompts.resolve_prompt`: source_lang, target_lang, task, pnc) becomes decoder context ids
through the model's own `PromptFormatter` (`model.prompt.encode_dialog`), and
`model.decoding.decode_predictions_tensor(...)` decodes, as `_transcribe_forward` and
`_transcribe_output_processing` do; clips under 1 s are padded with silence on both sides
first, as transcribe()'s Lhotse dataloader does (`pad_min_duration = 1.0`). NeMo's AED
decoding has no word confidence. Timestamps: Canary models trained with them (a `timestamp`
slot in the prompt, canary-1b-flash) emit `<|frame|>` tokens around each word when the prompt
asks (`timestamp: yes`), which NeMo's `process_aed_timestamp_outputs` parses, as `transcribe(
timestamps=True)` does; models that align with an external CTC model instead (canary-1b-v2's
`timestamps_asr_model`) and models trained without timestamps are refused for `--timestamps`.
Without timestamps, chunks of long files are joined whole (see `stitch`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from asr_registry.engine.families.base import FamilyRunner, NemoModel, best
from asr_registry.engine.prompts import CANARY
from asr_registry.engine.values import Hyp

if TYPE_CHECKING:  # for annotations only: NeMo loads with the first model
    from nemo.collections.asr.parts.utils.rnnt_utils import Hypothesis

# What NeMo's multitask transcribe() dataloader pads shorter clips to (`pad_min_duration`).
AED_MIN_SECONDS = 1.0


class AEDRunner(FamilyRunner):
    family = "aed"
    default_prompt_style = CANARY
    decoder_limited = True

    @classmethod
    def matches(cls, model: NemoModel) -> bool:
        decoding = getattr(model, "decoding", None)
        return (
            hasattr(model, "transf_decoder")
            and hasattr(model, "prompt")
            and hasattr(decoding, "decode_predictions_tensor")
        )

    @property
    def needs_prompts(self) -> bool:
        return True

    def supports_timestamps(self) -> bool:
        return "timestamp" in self.model.prompt.get_slots("user")

    def enable_timestamps(self) -> None:
        # Long-file stitching asks every family; only a model with the prompt slot can answer.
        self.timestamps = self.supports_timestamps()

    def _forward(self, audio: Sequence[np.ndarray], prompts: Sequence[Mapping[str, str]]) -> list[Hyp]:
        import torch

        model = self.model
        shortest = round(AED_MIN_SECONDS * self.sample_rate)
        signal, signal_len = self.tensors([pad_both(a, shortest) for a in audio])
        model.eval()
        with torch.inference_mode():
            feats, feats_len = model.preprocessor(input_signal=signal, length=signal_len)
            with self.autocast():
                _, _, enc_states, enc_mask = model.forward(processed_signal=feats, processed_signal_length=feats_len)
                context = [self._context(p) for p in prompts]
                hyps: list[Hypothesis | None] = [None] * len(audio)
                # Prompts of equal length decode as one batch (Canary's always are: 5 tokens).
                groups: dict[int, list[int]] = {}
                for index, ids in enumerate(context):
                    groups.setdefault(len(ids), []).append(index)
                for members in groups.values():
                    group_ids = torch.tensor([context[i] for i in members], dtype=torch.long, device=enc_states.device)
                    rows = torch.tensor(members, device=enc_states.device)
                    decoded = model.decoding.decode_predictions_tensor(
                        encoder_hidden_states=enc_states[rows],
                        encoder_input_mask=enc_mask[rows],
                        decoder_input_ids=group_ids,
                        return_hypotheses=True,
                    )
                    chosen = list(best(decoded))
                    if self.timestamps:
                        from nemo.collections.asr.parts.utils.timestamp_utils import process_aed_timestamp_outputs

                        stride = float(model.cfg.preprocessor.window_stride)
                        chosen = process_aed_timestamp_outputs(chosen, model.encoder.subsampling_factor, stride)
                    for index, hyp in zip(members, chosen, strict=True):
                        hyps[index] = hyp
        return [self.convert(h if h is not None else "") for h in hyps]

    def _context(self, prompt: Mapping[str, str]) -> list[int]:
        """Decoder context ids for one prompt, built the way `_transcribe_forward` builds them:
        the formatter's default user turn, its slots filled from the prompt."""
        formatter = self.model.prompt
        expected = formatter.get_slots("user")
        turns = [dict(turn) for turn in formatter.get_default_dialog_slots()]
        values = dict(prompt)
        if self.timestamps:
            values["timestamp"] = "yes"
        if "task" not in expected and "taskname" in expected:
            values["taskname"] = values.pop("task", "asr")
        for turn in turns:
            if turn["role"] == "user":
                turn["slots"] = {**turn["slots"], **{k: v for k, v in values.items() if k in expected}}
        return [int(t) for t in formatter.encode_dialog(turns=turns)["context_ids"].tolist()]


def pad_both(samples: np.ndarray, shortest: int) -> np.ndarray:
    """Silence on both sides up to `shortest` samples (Lhotse's `pad(direction="both")`)."""
    missing = shortest - len(samples)
    if missing <= 0:
        return samples
    left = missing // 2
    return np.pad(samples, (left, missing - left))
