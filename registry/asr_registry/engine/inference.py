"""Running a NeMo ASR model on a batch of waveforms.

For CTC, RNNT, TDT and hybrid models the engine calls the model's own modules
directly on one padded tensor, exactly what `model.transcribe()` does per batch
(`preprocessor` -> `encoder` -> `decoder`/`decoding`), minus its per-call setup
(temporary manifest, a fresh DataLoader, file decoding on the main thread). Per family:

* ``tdt``: a transducer whose joint also predicts durations (`joint.num_extra_outputs`);
  the same `rnnt_decoder_predictions_tensor` call runs NeMo's TDT decoder, which the
  model's decoding config (`model_type = "tdt"`, `durations`) selected at restore time.
* ``aed`` (Canary, `EncDecMultiTaskModel`): `model.forward(processed_signal=...)` gives the
  encoder states and mask; each item's prompt (`prompts.resolve_prompt`: source_lang,
  target_lang, task, pnc) becomes decoder context ids through the model's own
  `PromptFormatter` (`model.prompt.encode_dialog`), and
  `model.decoding.decode_predictions_tensor(...)` decodes, as `_transcribe_forward` and
  `_transcribe_output_processing` do; clips under 1 s are padded with silence on both
  sides first, as transcribe()'s Lhotse dataloader does (`pad_min_duration = 1.0`).
* language-ID prompted transducers (`EncDecRNNTBPEModelWithPrompt`, Nemotron 3.5): the
  prompt's locale is looked up in `cfg.model_defaults.prompt_dictionary` and passed as
  `prompt_indices` to `model.forward`, which mixes the one-hot prompt into the encoder output.
* ``salm``: see `engine/salm.py` (the speechlm2 `SALM.generate` API).

Any other model class goes through `model.transcribe(audio=[numpy arrays])` one batch at a time.

Text and word confidences (NeMo 3):

* decoding config: `confidence_cfg.preserve_word_confidence = True` (which
  implies token and frame confidence) and, for long-file chunks,
  `compute_timestamps = True`; applied with `model.change_decoding_strategy(cfg)`
  (hybrids: `change_decoding_strategy(cfg, decoder_type="rnnt"|"ctc")`, the CTC
  config living under `cfg.aux_ctc.decoding`).
* decode with `return_hypotheses=True`:
  `model.decoding.rnnt_decoder_predictions_tensor(enc, enc_len, return_hypotheses=True)`,
  `model.decoding.ctc_decoder_predictions_tensor(log_probs, enc_len, return_hypotheses=True)`
  or, on a hybrid's CTC head, `model.ctc_decoding.ctc_decoder_predictions_tensor(...)`.
* each `Hypothesis` has `.text`, `.words` (= text.split()), `.word_confidence`
  (one float per word, NeMo's default method: max_prob, min-aggregated) and, with
  timestamps, `.timestamp["word"]` = [{"word", "start_offset", "end_offset"}] in
  encoder frames (seconds = frames x window_stride x subsampling_factor).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

log = logging.getLogger("asr_registry.engine")


@dataclass(frozen=True)
class Hyp:
    """One segment's decoding result, free of torch/NeMo types."""

    text: str
    words: tuple[str, ...]
    confidence: tuple[float, ...] | None = None
    # (start, end) seconds from the segment start, one per word; only with timestamps.
    times: tuple[tuple[float, float], ...] | None = None


# What NeMo's multitask transcribe() dataloader pads shorter clips to (`pad_min_duration`).
AED_MIN_SECONDS = 1.0


def _kind(model: Any) -> str:
    from asr_registry.engine.salm import is_salm

    if is_salm(model):
        return "salm"
    if hasattr(model, "ctc_decoder") and hasattr(model, "cur_decoder") and hasattr(model, "ctc_decoding"):
        return "hybrid"
    decoding = getattr(model, "decoding", None)
    if hasattr(model, "transf_decoder") and hasattr(model, "prompt") and hasattr(decoding, "decode_predictions_tensor"):
        return "aed"
    if decoding is not None and hasattr(decoding, "rnnt_decoder_predictions_tensor") and hasattr(model, "joint"):
        return "tdt" if int(getattr(model.joint, "num_extra_outputs", 0) or 0) > 0 else "rnnt"
    if decoding is not None and hasattr(decoding, "ctc_decoder_predictions_tensor"):
        return "ctc"
    return "generic"


class ModelRunner:
    """Owns one loaded model: its decoding setup, precision, and the batch forward."""

    def __init__(self, model: Any, *, device: str, precision: str, decoder: str, word_confidence: bool) -> None:
        self.model = model
        self.device = device
        self.precision = precision
        self.kind = _kind(model)
        self.word_confidence = word_confidence
        self.timestamps = False
        self.decoder = decoder if self.kind == "hybrid" else ""
        # Language-ID prompt conditioning (e.g. Nemotron 3.5): locale -> prompt index.
        self.prompt_dictionary: dict[str, int] = {}
        if getattr(model, "concat", False) and hasattr(model, "prompt_kernel"):
            self.prompt_dictionary = {str(k): int(v) for k, v in (_cfg_get(model, "model_defaults", "prompt_dictionary") or {}).items()}  # fmt: skip
        # NeMo 3.0's character CTC decoding crashes computing word confidence (it joins
        # token ids as strings); for those models we keep token confidence and group it
        # into words here, one character per token.
        self.char_tokens = self.kind == "ctc" and getattr(model, "tokenizer", None) is None
        self.sample_rate = int(
            _cfg_get(model, "preprocessor", "sample_rate")
            or _cfg_get(model, "sample_rate")
            or getattr(model, "sampling_rate", 0)  # a SALM's
            or 16000
        )
        stride = float(_cfg_get(model, "preprocessor", "window_stride") or 0.01)
        factor = getattr(getattr(model, "encoder", None), "subsampling_factor", None)
        self.frame_seconds = stride * float(factor or 1)
        self._prepare()

    # -- setup ---------------------------------------------------------------------------------
    def _prepare(self) -> None:
        model = self.model
        model.eval()
        featurizer = getattr(getattr(model, "preprocessor", None), "featurizer", None)
        if featurizer is not None:
            # What transcribe() does per call: no dither noise, no padding to a multiple
            # of 16 frames (wasted compute). Set once because we own this instance.
            if hasattr(featurizer, "dither"):
                featurizer.dither = 0.0
            if hasattr(featurizer, "pad_to"):
                featurizer.pad_to = 0
        self._apply_decoding()

    @property
    def needs_prompts(self) -> bool:
        """Whether `forward` needs one prompt (a dict of fields) per input."""
        return self.kind in ("aed", "salm") or bool(self.prompt_dictionary)

    def _apply_decoding(self) -> None:
        """(Re)build the decoding objects with our confidence/timestamp settings."""
        if self.kind in ("generic", "aed", "salm"):
            # NeMo's AED decoding has neither word confidence nor our timestamp switches.
            return
        from omegaconf import open_dict

        model = self.model
        ctc_head = self.kind == "hybrid" and self.decoder == "ctc"
        cfg = model.cfg.aux_ctc.decoding if ctc_head else model.cfg.decoding
        with open_dict(cfg):
            cfg.compute_timestamps = self.timestamps
            if self.word_confidence:
                confidence = dict(cfg.get("confidence_cfg") or {})
                if self.char_tokens:
                    confidence["preserve_token_confidence"] = True
                else:
                    confidence["preserve_word_confidence"] = True
                cfg.confidence_cfg = confidence
        if self.kind == "hybrid":
            model.change_decoding_strategy(cfg, decoder_type=self.decoder or "rnnt", verbose=False)
        else:
            model.change_decoding_strategy(cfg, verbose=False)

    def enable_timestamps(self) -> None:
        """Word timestamps are needed only to stitch chunks of long files."""
        if not self.timestamps and self.kind not in ("generic", "aed", "salm"):
            self.timestamps = True
            self._apply_decoding()

    def _autocast(self) -> contextlib.AbstractContextManager[Any]:
        import torch

        if self.precision == "fp32":
            return contextlib.nullcontext()
        dtype = torch.bfloat16 if self.precision == "bf16" else torch.float16
        return torch.autocast(device_type=torch.device(self.device).type, dtype=dtype)

    # -- forward -------------------------------------------------------------------------------
    def _tensors(self, audio: Sequence[np.ndarray]) -> tuple[Any, Any]:
        """One zero-padded (batch, samples) tensor and the lengths, on the model's device."""
        import torch

        lengths = np.fromiter((len(a) for a in audio), dtype=np.int64, count=len(audio))
        padded = np.zeros((len(audio), int(lengths.max())), dtype=np.float32)
        for row, samples in enumerate(audio):
            padded[row, : len(samples)] = samples
        device = torch.device(self.device)
        signal = torch.from_numpy(padded)
        signal_len = torch.from_numpy(lengths)
        if device.type == "cuda":
            signal = signal.pin_memory().to(device, non_blocking=True)
            signal_len = signal_len.to(device, non_blocking=True)
        return signal, signal_len

    def forward(self, audio: Sequence[np.ndarray], prompts: Sequence[Mapping[str, str]] | None = None) -> list[Hyp]:
        """Transcribe equal-rate mono float32 waveforms; one Hyp per input, same order.

        `prompts` (one per input, from `prompts.resolve_prompt`) is required when `needs_prompts`.
        """
        if self.needs_prompts and (prompts is None or len(prompts) != len(audio)):
            raise ValueError(f"{self.kind} model needs one prompt per input")
        if self.kind == "generic":
            return self._forward_generic(audio)
        if self.kind == "aed":
            return self._forward_aed(audio, prompts or ())
        if self.kind == "salm":
            from asr_registry.engine.salm import salm_forward

            texts = salm_forward(self.model, audio, prompts or (), self.sample_rate, self.device, self._autocast)
            return [self._convert(text) for text in texts]
        import torch

        signal, signal_len = self._tensors(audio)
        model = self.model
        # NeMo 3's transcribe() ends with encoder/decoder/joint.unfreeze(partial=True),
        # which calls .train(): after anyone used model.transcribe(), dropout would be
        # live here. eval() is idempotent and cheap next to a batch.
        model.eval()
        with torch.inference_mode():
            # The mel front end stays fp32 (NeMo disables autocast inside it too).
            feats, feats_len = model.preprocessor(input_signal=signal, length=signal_len)
            with self._autocast():
                if self.prompt_dictionary:
                    indices = torch.tensor([self._prompt_index(p) for p in prompts or ()], device=signal.device)
                    encoded, encoded_len = model.forward(
                        processed_signal=feats, processed_signal_length=feats_len, prompt_indices=indices
                    )
                else:
                    encoded, encoded_len = model.encoder(audio_signal=feats, length=feats_len)
                if self.kind == "ctc":
                    log_probs = model.decoder(encoder_output=encoded)
                    hyps = model.decoding.ctc_decoder_predictions_tensor(
                        log_probs, decoder_lengths=encoded_len, return_hypotheses=True
                    )
                elif self.kind == "hybrid" and self.decoder == "ctc":
                    log_probs = model.ctc_decoder(encoder_output=encoded)
                    hyps = model.ctc_decoding.ctc_decoder_predictions_tensor(
                        log_probs, decoder_lengths=encoded_len, return_hypotheses=True
                    )
                else:
                    hyps = model.decoding.rnnt_decoder_predictions_tensor(
                        encoder_output=encoded, encoded_lengths=encoded_len, return_hypotheses=True
                    )
        return [self._convert(h) for h in _best(hyps)]

    def _prompt_index(self, prompt: Mapping[str, str]) -> int:
        """A language-ID prompt's index: the exact locale, else the language's first locale."""
        wanted = prompt.get("language", "auto")
        table = self.prompt_dictionary
        if wanted in table:
            return table[wanted]
        for key in sorted(table):
            if key.split("-")[0] == wanted:
                return table[key]
        raise ValueError(f"language prompt '{wanted}' is not in the model's prompt dictionary ({', '.join(sorted(table)[:12])})")  # fmt: skip

    def _forward_aed(self, audio: Sequence[np.ndarray], prompts: Sequence[Mapping[str, str]]) -> list[Hyp]:
        import torch

        model = self.model
        shortest = round(AED_MIN_SECONDS * self.sample_rate)
        signal, signal_len = self._tensors([_pad_both(a, shortest) for a in audio])
        model.eval()
        with torch.inference_mode():
            feats, feats_len = model.preprocessor(input_signal=signal, length=signal_len)
            with self._autocast():
                _, _, enc_states, enc_mask = model.forward(processed_signal=feats, processed_signal_length=feats_len)
                context = [self._aed_context(p) for p in prompts]
                hyps: list[Any] = [None] * len(audio)
                # Prompts of equal length decode as one batch (Canary's always are: 5 tokens).
                groups: dict[int, list[int]] = {}
                for index, ids in enumerate(context):
                    groups.setdefault(len(ids), []).append(index)
                for members in groups.values():
                    ids = torch.tensor([context[i] for i in members], dtype=torch.long, device=enc_states.device)
                    rows = torch.tensor(members, device=enc_states.device)
                    decoded = model.decoding.decode_predictions_tensor(
                        encoder_hidden_states=enc_states[rows], encoder_input_mask=enc_mask[rows],
                        decoder_input_ids=ids, return_hypotheses=True,
                    )  # fmt: skip
                    for index, hyp in zip(members, _best(decoded), strict=True):
                        hyps[index] = hyp
        return [self._convert(h) for h in hyps]

    def _aed_context(self, prompt: Mapping[str, str]) -> list[int]:
        """Decoder context ids for one prompt, built the way `_transcribe_forward` builds them:
        the formatter's default user turn, its slots filled from the prompt."""
        formatter = self.model.prompt
        expected = formatter.get_slots("user")
        turns = [dict(turn) for turn in formatter.get_default_dialog_slots()]
        values = dict(prompt)
        if "task" not in expected and "taskname" in expected:
            values["taskname"] = values.pop("task", "asr")
        for turn in turns:
            if turn["role"] == "user":
                turn["slots"] = {**turn["slots"], **{k: v for k, v in values.items() if k in expected}}
        return [int(t) for t in formatter.encode_dialog(turns=turns)["context_ids"].tolist()]

    def _forward_generic(self, audio: Sequence[np.ndarray]) -> list[Hyp]:
        import torch

        with torch.inference_mode(), self._autocast():
            out = self.model.transcribe(
                audio=list(audio), batch_size=len(audio), return_hypotheses=True, verbose=False, num_workers=0
            )
        if isinstance(out, tuple):  # some models return (best, all)
            out = out[0]
        return [self._convert(h) for h in _best(out)]

    def _convert(self, hyp: Any) -> Hyp:
        text = hyp if isinstance(hyp, str) else getattr(hyp, "text", "")
        if not isinstance(text, str):
            text = str(text or "")
        text = text.strip()
        words = tuple(text.split())
        confidence = None
        if self.word_confidence:
            raw = getattr(hyp, "word_confidence", None)
            if self.char_tokens:
                raw = _char_word_confidence(getattr(hyp, "text", ""), getattr(hyp, "token_confidence", None))
            if raw is not None:
                confidence = tuple(round(float(c), 4) for c in raw)
        times = None
        stamps = getattr(hyp, "timestamp", None)
        if self.timestamps and isinstance(stamps, dict) and stamps.get("word") is not None:
            entries = list(stamps["word"])
            stamped_words = tuple(str(e.get("word", "")) for e in entries)
            times = tuple(
                (float(e["start_offset"]) * self.frame_seconds, float(e["end_offset"]) * self.frame_seconds)
                for e in entries
            )
            if stamped_words != words:
                # Timestamps define the words when they disagree with text.split();
                # confidences are then only kept if they still line up.
                words = stamped_words
                if confidence is not None and len(confidence) != len(words):
                    confidence = None
        return Hyp(text, words, confidence, times)


def _pad_both(samples: np.ndarray, shortest: int) -> np.ndarray:
    """Silence on both sides up to `shortest` samples (Lhotse's `pad(direction="both")`)."""
    missing = shortest - len(samples)
    if missing <= 0:
        return samples
    left = missing // 2
    return np.pad(samples, (left, missing - left))


def _char_word_confidence(text: Any, token_confidence: Any) -> list[float] | None:
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


def _best(hyps: Any) -> Iterator[Any]:
    """One hypothesis per utterance, whether NeMo returned best, n-best or lists."""
    for hyp in hyps:
        if isinstance(hyp, list):
            hyp = hyp[0]
        nbest = getattr(hyp, "n_best_hypotheses", None)
        if nbest:
            hyp = nbest[0]
        yield hyp


def _cfg_get(model: Any, *keys: str) -> Any:
    node = getattr(model, "cfg", None)
    for key in keys:
        if node is None:
            return None
        try:
            node = node.get(key)
        except AttributeError:
            return None
    return node


def is_oom(exc: BaseException) -> bool:
    """CUDA out-of-memory, as torch raises it (also matched by message for older paths)."""
    import torch

    return isinstance(exc, torch.OutOfMemoryError) or (isinstance(exc, RuntimeError) and "out of memory" in str(exc))


def release_memory(device: str) -> None:
    if device.startswith("cuda"):
        import torch

        torch.cuda.empty_cache()
