"""CTC, transducer (RNNT, TDT) and hybrid models: NeMo's own modules called on one padded tensor.

What `model.transcribe()` does per batch (`preprocessor` -> `encoder` -> `decoder`/`decoding`),
minus its per-call setup (temporary manifest, a fresh DataLoader, file decoding on the main thread).

Text and word confidences (NeMo 3):

* decoding config: `confidence_cfg.preserve_word_confidence = True` (which implies token and
  frame confidence) and, for long-file chunks, `compute_timestamps = True`; applied with
  `model.change_decoding_strategy(cfg)` (hybrids: `change_decoding_strategy(cfg,
  decoder_type="rnnt"|"ctc")`, the CTC config living under `cfg.aux_ctc.decoding`).
* decode with `return_hypotheses=True`; each `Hypothesis` has `.text`, `.word_confidence` (one
  float per word, NeMo's default method: max_prob, min-aggregated) and, with timestamps,
  `.timestamp["word"]` = [{"word", "start_offset", "end_offset"}] in encoder frames
  (seconds = frames x window_stride x subsampling_factor).
* ``tdt``: a transducer whose joint also predicts durations (`joint.num_extra_outputs`); the same
  `rnnt_decoder_predictions_tensor` call runs NeMo's TDT decoder, which the model's decoding
  config (`model_type = "tdt"`, `durations`) selected at restore time.
* language-ID prompted transducers (`EncDecRNNTBPEModelWithPrompt`, Nemotron 3.5): the prompt's
  locale is looked up in `cfg.model_defaults.prompt_dictionary` and passed as `prompt_indices`
  to `model.forward`, which mixes the one-hot prompt into the encoder output.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from asr_registry.engine.families.base import FamilyRunner, NemoModel, NemoOutput, best, cfg_get
from asr_registry.engine.prompts import LANGUAGE
from asr_registry.engine.values import Hyp

if TYPE_CHECKING:  # names for annotations only: torch and NeMo load with the first model
    from nemo.collections.asr.parts.utils.rnnt_utils import Hypothesis
    from omegaconf import DictConfig
    from torch import Tensor


class _DecodingRunner(FamilyRunner):
    """A model decoded by NeMo's CTC or RNNT decoding objects, which we rebuild with our settings."""

    def _prepare(self) -> None:
        super()._prepare()
        self._apply_decoding()

    def _decoding_cfg(self) -> DictConfig:
        return self.model.cfg.decoding

    def _change_decoding(self, cfg: DictConfig) -> None:
        self.model.change_decoding_strategy(cfg, verbose=False)

    def _confidence_key(self) -> str:
        return "preserve_word_confidence"

    def _apply_decoding(self) -> None:
        """(Re)build the decoding objects with our confidence/timestamp settings."""
        from omegaconf import open_dict

        cfg = self._decoding_cfg()
        with open_dict(cfg):
            cfg.compute_timestamps = self.timestamps
            self.decoding_switches(cfg)
            if self.word_confidence:
                confidence = dict(cfg.get("confidence_cfg") or {})
                confidence[self._confidence_key()] = True
                cfg.confidence_cfg = confidence
        self._change_decoding(cfg)

    def supports_timestamps(self) -> bool:
        return True

    def enable_timestamps(self) -> None:
        if not self.timestamps:
            self.timestamps = True
            self._apply_decoding()

    def _encode(self, feats: Tensor, feats_len: Tensor, prompts: Sequence[Mapping[str, str]]) -> tuple[Tensor, Tensor]:
        return self.model.encoder(audio_signal=feats, length=feats_len)

    def _decode(self, encoded: Tensor, encoded_len: Tensor) -> NemoOutput:
        raise NotImplementedError

    def _forward(self, audio: Sequence[np.ndarray], prompts: Sequence[Mapping[str, str]]) -> list[Hyp]:
        import torch

        signal, signal_len = self.tensors(audio)
        # NeMo 3's transcribe() ends with encoder/decoder/joint.unfreeze(partial=True),
        # which calls .train(): after anyone used model.transcribe(), dropout would be
        # live here. eval() is idempotent and cheap next to a batch.
        self.model.eval()
        with torch.inference_mode():
            # The mel front end stays fp32 (NeMo disables autocast inside it too).
            feats, feats_len = self.model.preprocessor(input_signal=signal, length=signal_len)
            with self.autocast():
                encoded, encoded_len = self._encode(feats, feats_len, prompts)
                hyps = self._decode(encoded, encoded_len)
        return [self.convert(h) for h in best(hyps)]


class CTCRunner(_DecodingRunner):
    family = "ctc"

    def __init__(self, model: NemoModel, *, device: str, precision: str, decoder: str, word_confidence: bool) -> None:
        # NeMo 3.0's character CTC decoding crashes computing word confidence (it joins
        # token ids as strings); for those models we keep token confidence and group it
        # into words here, one character per token.
        self.char_tokens = getattr(model, "tokenizer", None) is None
        super().__init__(model, device=device, precision=precision, decoder=decoder, word_confidence=word_confidence)

    @classmethod
    def matches(cls, model: NemoModel) -> bool:
        decoding = getattr(model, "decoding", None)
        return hasattr(decoding, "ctc_decoder_predictions_tensor") and not HybridRunner.matches(model)

    def _confidence_key(self) -> str:
        return "preserve_token_confidence" if self.char_tokens else "preserve_word_confidence"

    def _decode(self, encoded: Tensor, encoded_len: Tensor) -> NemoOutput:
        log_probs = self.model.decoder(encoder_output=encoded)
        return self.model.decoding.ctc_decoder_predictions_tensor(
            log_probs, decoder_lengths=encoded_len, return_hypotheses=True
        )

    def refine_timestamp(self, timestamp: dict[str, Any]) -> dict[str, Any]:
        return ctc_emission_starts(timestamp)

    def word_confidence_of(self, hyp: Hypothesis) -> Sequence[float] | None:
        if self.char_tokens:
            return char_word_confidence(getattr(hyp, "text", ""), getattr(hyp, "token_confidence", None))
        return super().word_confidence_of(hyp)


class TransducerRunner(_DecodingRunner):
    """RNNT, optionally with a language-ID prompt."""

    family = "rnnt"

    def __init__(self, model: NemoModel, *, device: str, precision: str, decoder: str, word_confidence: bool) -> None:
        # Language-ID prompt conditioning (e.g. Nemotron 3.5): locale -> prompt index.
        self.prompt_dictionary: dict[str, int] = {}
        if getattr(model, "concat", False) and hasattr(model, "prompt_kernel"):
            table = cfg_get(model, "model_defaults", "prompt_dictionary") or {}
            self.prompt_dictionary = {str(k): int(v) for k, v in table.items()}
        super().__init__(model, device=device, precision=precision, decoder=decoder, word_confidence=word_confidence)

    @classmethod
    def matches(cls, model: NemoModel) -> bool:
        return _is_transducer(model) and _duration_outputs(model) == 0

    @property
    def needs_prompts(self) -> bool:
        return bool(self.prompt_dictionary)

    @property
    def prompt_style(self) -> str:
        return LANGUAGE if self.prompt_dictionary else ""

    def _encode(self, feats: Tensor, feats_len: Tensor, prompts: Sequence[Mapping[str, str]]) -> tuple[Tensor, Tensor]:
        if not self.prompt_dictionary:
            return super()._encode(feats, feats_len, prompts)
        import torch

        indices = torch.tensor([self._prompt_index(p) for p in prompts], device=feats.device)
        return self.model.forward(processed_signal=feats, processed_signal_length=feats_len, prompt_indices=indices)

    def _decode(self, encoded: Tensor, encoded_len: Tensor) -> NemoOutput:
        return self.model.decoding.rnnt_decoder_predictions_tensor(
            encoder_output=encoded, encoded_lengths=encoded_len, return_hypotheses=True
        )

    def _prompt_index(self, prompt: Mapping[str, str]) -> int:
        """A language-ID prompt's index: the exact locale, else the language's first locale."""
        wanted = prompt.get("language", "auto")
        table = self.prompt_dictionary
        if wanted in table:
            return table[wanted]
        for key in sorted(table):
            if key.split("-")[0] == wanted:
                return table[key]
        known = ", ".join(sorted(table)[:12])
        raise ValueError(f"language prompt '{wanted}' is not in the model's prompt dictionary ({known})")


class TDTRunner(TransducerRunner):
    """A transducer whose joint also predicts token durations; NeMo's decoding object runs TDT."""

    family = "tdt"

    @classmethod
    def matches(cls, model: NemoModel) -> bool:
        return _is_transducer(model) and _duration_outputs(model) > 0


class HybridRunner(TransducerRunner):
    """A transducer with an auxiliary CTC head; `decoder` ("rnnt" or "ctc") picks the head."""

    family = "hybrid"

    chooses_decoder = True

    @classmethod
    def matches(cls, model: NemoModel) -> bool:
        return hasattr(model, "ctc_decoder") and hasattr(model, "cur_decoder") and hasattr(model, "ctc_decoding")

    @property
    def _ctc_head(self) -> bool:
        return self.decoder == "ctc"

    def _decoding_cfg(self) -> DictConfig:
        return self.model.cfg.aux_ctc.decoding if self._ctc_head else self.model.cfg.decoding

    def _change_decoding(self, cfg: DictConfig) -> None:
        self.model.change_decoding_strategy(cfg, decoder_type=self.decoder or "rnnt", verbose=False)

    def refine_timestamp(self, timestamp: dict[str, Any]) -> dict[str, Any]:
        return ctc_emission_starts(timestamp) if self._ctc_head else timestamp

    def _decode(self, encoded: Tensor, encoded_len: Tensor) -> NemoOutput:
        if not self._ctc_head:
            return super()._decode(encoded, encoded_len)
        log_probs = self.model.ctc_decoder(encoder_output=encoded)
        return self.model.ctc_decoding.ctc_decoder_predictions_tensor(
            log_probs, decoder_lengths=encoded_len, return_hypotheses=True
        )


def ctc_emission_starts(timestamp: dict[str, Any]) -> dict[str, Any]:
    """Each char (token), word and segment starting at the frame where its token was emitted.

    NeMo's CTC offsets (`CTCDecoding._compute_offsets`) start every token where the one before
    it ended, blank frames included: with subword models, which have no space token to absorb
    the pause, each word's start moves back to the end of the previous word (by up to a whole
    pause; ~0.8 s median on the bundled hybrid's CTC head). The decoder also records the frames
    where a token was emitted (`timestamp["timestep"]`); a run of consecutive frames is one
    emission (CTC collapses repeats), so with one run per token the n-th run starts the n-th
    token. Otherwise (two tokens in adjacent frames) NeMo's offsets are kept.
    """
    frames = sorted(int(t) for t in timestamp.get("timestep") or ())
    chars = timestamp.get("char")
    if not frames or not chars:
        return timestamp
    runs = [frame for k, frame in enumerate(frames) if k == 0 or frame != frames[k - 1] + 1]
    if len(runs) != len(chars):
        return timestamp
    # Each token's NeMo start offset -> its emission frame; words and segments start at their first token.
    moved = {int(c["start_offset"]): run for c, run in zip(chars, runs, strict=True)}

    def refined(entries: Sequence[Mapping[str, Any]] | None) -> list[dict[str, Any]] | None:
        if entries is None:
            return None
        return [{**e, "start_offset": moved.get(int(e["start_offset"]), e["start_offset"])} for e in entries]

    return {**timestamp, **{k: refined(timestamp.get(k)) for k in ("char", "word", "segment") if k in timestamp}}


def _is_transducer(model: NemoModel) -> bool:
    decoding = getattr(model, "decoding", None)
    return hasattr(decoding, "rnnt_decoder_predictions_tensor") and hasattr(model, "joint")


def _duration_outputs(model: NemoModel) -> int:
    return int(getattr(model.joint, "num_extra_outputs", 0) or 0)


def char_word_confidence(text: object, token_confidence: Sequence[float] | None) -> list[float] | None:
    """Per word, the lowest confidence of its characters (NeMo's default "min" aggregation)."""
    if not isinstance(text, str) or token_confidence is None or len(token_confidence) != len(text):
        return None
    words: list[float] = []
    current: list[float] = []
    for char, confidence in zip(text, token_confidence, strict=True):
        if char == " ":
            if current:
                words.append(min(current))
            current = []
        else:
            current.append(float(confidence))
    if current:
        words.append(min(current))
    return words
