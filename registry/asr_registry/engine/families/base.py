"""What every model family shares: precision, the padded input tensor, and turning NeMo's
hypotheses into plain `Hyp` values (text, word confidences, word timestamps).

A family class owns one loaded model. `matches(model)` says whether a loaded NeMo model is of
the family (the catalog declares the family; the loaded model must agree); `forward` runs one
batch; `enable_timestamps` switches on the word timestamps that long-file chunk stitching needs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from asr_registry.engine.cuda_graphs import set_decoding_keys
from asr_registry.engine.language_check import language_of_tokens
from asr_registry.engine.loading import cast_model
from asr_registry.engine.timestamps import Stamps, TimestampsUnsupportedError, from_nemo, shift
from asr_registry.engine.values import Hyp
from asr_registry.sizing.long_audio import DECODED_SECONDS

if TYPE_CHECKING:  # names for annotations only: torch and NeMo load with the first model
    from nemo.collections.asr.parts.utils.rnnt_utils import Hypothesis
    from torch import Tensor

# Where NeMo crosses into the engine, the types stay open (`Any`), named for what they are:
# a loaded model (NeMo's class depends on the checkpoint, or a speechlm2 SALM) and what its
# decoding returns (`Hypothesis`, a list of them per utterance, or plain text).
NemoModel = Any
NemoOutput = Any
# Local attention's context, in encoder frames left and right: the leaderboard's and Curator's choice.
LOCAL_CONTEXT = (128, 128)


class FamilyRunner:
    """One loaded model of one family: its decoding setup, precision, and the batch forward."""

    family: ClassVar[str] = ""
    # The prompt style (see `prompts.prompt_style`) this family's models take when the catalog names none.
    default_prompt_style: ClassVar[str] = ""
    # Only a hybrid has two decoders to choose from; every other family runs its one decoder.
    chooses_decoder: ClassVar[bool] = False
    # An attention decoder stops early on audio longer than it was trained on, however the encoder
    # attends: these families never take a file longer than `longest_decoded_seconds()` in one pass.
    decoder_limited: ClassVar[bool] = False

    def __init__(self, model: NemoModel, *, device: str, precision: str, decoder: str, word_confidence: bool) -> None:
        self.model = model
        self.device = device
        self.precision = precision
        self.decoder = decoder if self.chooses_decoder else ""
        self.word_confidence = word_confidence
        self.timestamps = False
        # Seconds this decoder emits after the speech (the catalog's emission_delay_s; the engine sets it).
        self.emission_delay = 0.0
        # CUDA-graph greedy decoding (engine/cuda_graphs.py): None keeps the checkpoint's config.
        self.cuda_graphs: bool | None = None
        self.sample_rate = int(
            cfg_get(model, "preprocessor", "sample_rate")
            or cfg_get(model, "sample_rate")
            or getattr(model, "sampling_rate", 0)  # a SALM's
            or 16000
        )
        stride = float(cfg_get(model, "preprocessor", "window_stride") or 0.01)
        factor = getattr(getattr(model, "encoder", None), "subsampling_factor", None)
        self.frame_seconds = stride * float(factor or 1)
        self.local_attention = False
        self._prepare()

    def supports_local_attention(self) -> bool:
        """Whether the encoder can switch to local attention: NeMo's ConformerEncoder (Conformer and
        FastConformer, every family built on it) has `change_attention_model` and relative positions."""
        encoder = getattr(self.model, "encoder", None)
        return (
            hasattr(self.model, "change_attention_model")
            and hasattr(encoder, "change_attention_model")
            and getattr(encoder, "self_attention_model", None) in ("rel_pos", "rel_pos_local_attn")
        )

    def set_local_attention(self, on: bool) -> None:
        """Switch the encoder to local attention with subsampling-convolution chunking (on), or back to
        the model's own attention (off), as the Open ASR Leaderboard's long-form runner and NeMo Curator
        do: attention over LOCAL_CONTEXT frames each side, so memory grows linearly with the length.
        The attention weights are kept (NeMo rebuilds the layers and loads their state)."""
        if on == self.local_attention:
            return
        encoder = self.model.encoder
        if on:
            self._full_attention = (encoder.self_attention_model, list(encoder.att_context_size))
            self._conv_chunking = getattr(encoder.pre_encode, "subsampling_conv_chunking_factor", 1)
            self.model.change_attention_model("rel_pos_local_attn", list(LOCAL_CONTEXT))
            self.model.change_subsampling_conv_chunking_factor(1)  # 1: split the convolution when needed
        else:
            attention, context = self._full_attention
            self.model.change_attention_model(attention, context)
            self.model.change_subsampling_conv_chunking_factor(self._conv_chunking)
        self.local_attention = on

    def longest_decoded_seconds(self) -> float | None:
        """The longest audio one pass may take for the decoder to transcribe all of it (None: any);
        for a decoder-limited family, the checkpoint's own training limit (`train_ds.max_duration`)."""
        if not self.decoder_limited:
            return None
        trained = cfg_get(self.model, "train_ds", "max_duration")
        return float(trained) if trained else DECODED_SECONDS

    @classmethod
    def matches(cls, model: NemoModel) -> bool:
        """Whether a loaded model is of this family."""
        raise NotImplementedError

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
        # A cast mode ("bf16" / "fp16") casts the weights once; "amp-*" modes keep fp32 weights
        # and autocast each forward (`autocast()`). See engine/loading.py::cast_model.
        self.model = cast_model(model, self.precision)

    @property
    def needs_prompts(self) -> bool:
        """Whether `forward` needs one prompt (a dict of fields) per input."""
        return False

    @property
    def prompt_style(self) -> str:
        return self.default_prompt_style

    def enable_timestamps(self) -> None:
        """Word timestamps are needed only to stitch chunks of long files; families without them ignore this."""

    def set_cuda_graphs(self, enabled: bool | None) -> None:
        """Switch NeMo's CUDA-graph greedy decoders on or off (rebuilds the decoding objects)."""
        if enabled != self.cuda_graphs:
            self.cuda_graphs = enabled
            self._apply_decoding()

    def _apply_decoding(self) -> None:
        """(Re)build the decoding objects; families that own no NeMo decoding config have none."""

    def decoding_switches(self, cfg: Any) -> None:
        """Write the engine's decoding switches into a NeMo decoding config (inside `open_dict`)."""
        transducer = hasattr(self.model, "joint") and self.decoder != "ctc"
        set_decoding_keys(cfg, self.cuda_graphs, transducer)

    def supports_timestamps(self) -> bool:
        """Whether this model gives char/word/segment times (`transcribe --timestamps`)."""
        return False

    def require_timestamps(self, model_name: str) -> None:
        """Turn timestamps on for the output, or refuse in one line naming the model."""
        if not self.supports_timestamps():
            raise TimestampsUnsupportedError(
                f"model {model_name}: its {self.family or type(self.model).__name__} decoding gives no timestamps "
                "(--timestamps needs a CTC, RNNT, TDT or hybrid model, or an AED model trained with timestamps)"
            )
        self.enable_timestamps()

    def autocast(self) -> contextlib.AbstractContextManager[object]:
        """Autocast for the "amp-*" modes; nothing for fp32 and the cast modes (the weights are the dtype)."""
        if not self.precision.startswith("amp-"):
            return contextlib.nullcontext()
        import torch

        dtype = torch.bfloat16 if self.precision == "amp-bf16" else torch.float16
        return torch.autocast(device_type=torch.device(self.device).type, dtype=dtype)

    # -- forward -------------------------------------------------------------------------------
    def forward(self, audio: Sequence[np.ndarray], prompts: Sequence[Mapping[str, str]] | None = None) -> list[Hyp]:
        """Transcribe equal-rate mono float32 waveforms; one Hyp per input, same order.

        `prompts` (one per input, from `prompts.resolve_prompt`) is required when `needs_prompts`.
        """
        if self.needs_prompts and (prompts is None or len(prompts) != len(audio)):
            raise ValueError(f"{self.family} model needs one prompt per input")
        return self._forward(audio, prompts or ())

    def _forward(self, audio: Sequence[np.ndarray], prompts: Sequence[Mapping[str, str]]) -> list[Hyp]:
        raise NotImplementedError

    def tensors(self, audio: Sequence[np.ndarray]) -> tuple[Tensor, Tensor]:
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

    # -- results -------------------------------------------------------------------------------
    def refine_timestamp(self, timestamp: dict[str, Any]) -> dict[str, Any]:
        """NeMo's `hyp.timestamp` (offsets in frames) as this family's output uses it."""
        return timestamp

    def word_confidence_of(self, hyp: Hypothesis) -> Sequence[float] | None:
        """The per-word confidences NeMo computed (None without them)."""
        return getattr(hyp, "word_confidence", None)

    def convert(self, hyp: Hypothesis | str) -> Hyp:
        """A NeMo Hypothesis (or plain text) as a `Hyp`."""
        text = hyp if isinstance(hyp, str) else getattr(hyp, "text", "")
        if not isinstance(text, str):
            text = str(text or "")
        text = text.strip()
        words = tuple(text.split())
        confidence = None
        if self.word_confidence:
            raw = self.word_confidence_of(hyp)
            if raw is not None:
                confidence = tuple(round(float(c), 4) for c in raw)
        times = None
        stamps: Stamps | None = None
        raw_stamps = getattr(hyp, "timestamp", None)
        if self.timestamps and isinstance(raw_stamps, dict) and raw_stamps.get("word") is not None:
            stamps = shift(from_nemo(self.refine_timestamp(raw_stamps), self.frame_seconds), -self.emission_delay)
            stamped_words = tuple(s.text for s in stamps.words)
            times = tuple((s.start, s.end) for s in stamps.words)
            if stamped_words != words:
                # Timestamps define the words when they disagree with text.split();
                # confidences are then only kept if they still line up.
                words = stamped_words
                if confidence is not None and len(confidence) != len(words):
                    confidence = None
        lang = language_of_tokens(getattr(hyp, "langs", None))
        return Hyp(text, words, confidence, times, stamps, lang)


def best(hyps: NemoOutput) -> Iterator[Hypothesis]:
    """One hypothesis per utterance, whether NeMo returned best, n-best or lists."""
    for hyp in hyps:
        if isinstance(hyp, list):
            hyp = hyp[0]
        nbest = getattr(hyp, "n_best_hypotheses", None)
        if nbest:
            hyp = nbest[0]
        yield hyp


def cfg_get(model: NemoModel, *keys: str) -> NemoOutput:
    """`model.cfg[k1][k2]...`, or None where any level is missing."""
    node = getattr(model, "cfg", None)
    for key in keys:
        if node is None:
            return None
        try:
            node = node.get(key)
        except AttributeError:
            return None
    return node
