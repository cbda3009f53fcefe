"""OmegaConf model configs for the tiny digit models (hybrid, CTC, TDT, AED).

NeMo's examples/ YAMLs are not shipped in the wheel, so the configs are built
here from the same keys (see nemo/collections/asr/models/*.py for the truth).
"""

from __future__ import annotations

from typing import Any

N_MELS = 64  # 64 rather than 80 mel bins: less compute, digits need no more.
SAMPLE_RATE = 16000


def _preprocessor() -> dict[str, Any]:
    return {
        "_target_": "nemo.collections.asr.modules.AudioToMelSpectrogramPreprocessor",
        "sample_rate": SAMPLE_RATE,
        "normalize": "per_feature",
        "window_size": 0.025,
        "window_stride": 0.01,
        "window": "hann",
        "features": N_MELS,
        "n_fft": 512,
        "log": True,
        "frame_splicing": 1,
        "dither": 1e-5,
        "pad_to": 0,
        "pad_value": 0.0,
    }


def _spec_augment() -> dict[str, Any]:
    # Light masking: the data is already varied (voices, noise) and the
    # models are small, so heavy masking would only slow convergence.
    return {
        "_target_": "nemo.collections.asr.modules.SpectrogramAugmentation",
        "freq_masks": 2,
        "time_masks": 2,
        "freq_width": 12,
        "time_width": 0.05,
    }


def _conformer(
    n_layers: int, d_model: int, factor: int, subsampling: str, ff: int, kernel: int, sub_channels: int
) -> dict[str, Any]:
    return {
        "_target_": "nemo.collections.asr.modules.ConformerEncoder",
        "feat_in": N_MELS,
        "feat_out": -1,
        "n_layers": n_layers,
        "d_model": d_model,
        "subsampling": subsampling,
        "subsampling_factor": factor,
        "subsampling_conv_channels": sub_channels,
        "causal_downsampling": False,
        "ff_expansion_factor": ff,
        "self_attention_model": "rel_pos",
        "n_heads": 4,
        "att_context_size": [-1, -1],
        "xscaling": True,
        "untie_biases": True,
        "pos_emb_max_len": 5000,
        "conv_kernel_size": kernel,
        "conv_norm_type": "batch_norm",
        "dropout": 0.1,
        "dropout_pre_encoder": 0.1,
        "dropout_emb": 0.0,
        "dropout_att": 0.1,
    }


def _data(manifest: str, batch_size: int, shuffle: bool, labels: list[str] | None) -> dict[str, Any]:
    cfg: dict[str, Any] = {
        "manifest_filepath": manifest,
        "sample_rate": SAMPLE_RATE,
        "batch_size": batch_size,
        "shuffle": shuffle,
        # Workers would compete with training for the two cores; wav loading
        # of ~2 s clips is cheap enough in-process.
        "num_workers": 0,
        "pin_memory": False,
        "max_duration": 12.0,
        "min_duration": 0.1,
        "trim_silence": False,
        "use_start_end_token": False,
    }
    if labels is not None:
        cfg["labels"] = labels
    return cfg


def _optim(lr: float, max_steps: int, warmup: int) -> dict[str, Any]:
    return {
        "name": "adamw",
        "lr": lr,
        "betas": [0.9, 0.98],
        "weight_decay": 1e-3,
        "sched": {
            "name": "CosineAnnealing",
            "warmup_steps": warmup,
            "min_lr": lr * 0.02,
            "max_steps": max_steps,
        },
    }


def hybrid_config(
    tokenizer_dir: str, train: str, val: str, batch_size: int, lr: float, max_steps: int
) -> dict[str, Any]:
    """FastConformer hybrid RNNT+CTC with a SentencePiece tokenizer.

    8x dw_striding subsampling keeps the numba RNNT loss (B*T*U*V lattice)
    cheap on CPU; 4x made one epoch take ~14 min in an earlier measurement.
    """
    d_model = 96
    pred_hidden = 96
    return {
        "sample_rate": SAMPLE_RATE,
        "log_prediction": False,
        "model_defaults": {"enc_hidden": d_model, "pred_hidden": pred_hidden, "joint_hidden": 96},
        "tokenizer": {"dir": tokenizer_dir, "type": "bpe"},
        "train_ds": _data(train, batch_size, True, None),
        "validation_ds": _data(val, 32, False, None),
        "preprocessor": _preprocessor(),
        "spec_augment": _spec_augment(),
        "encoder": _conformer(4, d_model, 8, "dw_striding", 2, 9, d_model),
        "decoder": {
            "_target_": "nemo.collections.asr.modules.RNNTDecoder",
            "normalization_mode": None,
            "random_state_sampling": False,
            "blank_as_pad": True,
            "prednet": {"pred_hidden": pred_hidden, "pred_rnn_layers": 1, "t_max": None, "dropout": 0.1},
        },
        "joint": {
            "_target_": "nemo.collections.asr.modules.RNNTJoint",
            "log_softmax": None,
            "preserve_memory": False,
            "fuse_loss_wer": False,
            "jointnet": {"joint_hidden": 96, "activation": "relu", "dropout": 0.1},
        },
        "decoding": {"strategy": "greedy_batch", "greedy": {"max_symbols": 10}},
        "aux_ctc": {
            # 0.5 instead of NeMo's usual 0.3: the CTC head lagged far behind
            # the RNNT head in earlier runs and both decoders must be usable.
            "ctc_loss_weight": 0.5,
            "use_cer": False,
            "ctc_reduction": "mean_batch",
            "decoder": {
                "_target_": "nemo.collections.asr.modules.ConvASRDecoder",
                "feat_in": None,
                "num_classes": -1,
                "vocabulary": [],
            },
            "decoding": {"strategy": "greedy_batch"},
        },
        # NeMo's pure-PyTorch RNNT loss: on CPU the default numba loss took
        # 2.3 s per batch of 32 (vs 0.1 s) for these tiny T*U lattices.
        "loss": {"loss_name": "pytorch"},
        "optim": _optim(lr, max_steps, warmup=max(50, max_steps // 15)),
    }


def ctc_labels(texts: list[str]) -> list[str]:
    """Character vocabulary: space plus every letter used in the corpus."""
    chars = sorted({c for t in texts for c in t} - {" "})
    return [" ", *chars]


def ctc_config(labels: list[str], train: str, val: str, batch_size: int, lr: float, max_steps: int) -> dict[str, Any]:
    """Character-level Conformer-CTC: a different tokenizer, frame rate and
    subsampling than the hybrid, so the two make different errors.

    Characters need ~6-7 CTC frames per word ("three" has a doubled "e" that
    needs a blank in between), so 2x subsampling (20 ms frames) is used; a
    fast speaker can say a digit in ~0.25 s, too short for 40 ms frames.
    """
    d_model = 96
    return {
        "sample_rate": SAMPLE_RATE,
        "labels": labels,
        "log_prediction": False,
        "train_ds": _data(train, batch_size, True, labels),
        "validation_ds": _data(val, 32, False, labels),
        "preprocessor": _preprocessor(),
        "spec_augment": _spec_augment(),
        # 32 subsampling channels: with only 2x striding the flattening linear
        # layer (channels * 32 freq bins -> d_model) would otherwise hold
        # ~40% of all parameters.
        "encoder": _conformer(3, d_model, 2, "striding", 2, 15, 32),
        "decoder": {
            "_target_": "nemo.collections.asr.modules.ConvASRDecoder",
            "feat_in": d_model,
            "num_classes": len(labels),
            "vocabulary": labels,
        },
        "decoding": {"strategy": "greedy_batch"},
        "optim": _optim(lr, max_steps, warmup=max(50, max_steps // 15)),
    }


TDT_DURATIONS = [0, 1, 2, 3, 4]


def tdt_config(tokenizer_dir: str, train: str, val: str, batch_size: int, lr: float, max_steps: int) -> dict[str, Any]:
    """FastConformer TDT (token-and-duration transducer): the hybrid's encoder and
    SentencePiece tokenizer with an RNNT-only head whose joint also predicts how many
    frames to skip (durations 0-4, NeMo's recommended [0..n] set), trained with
    NeMo's TDT loss and decoded with its TDT greedy decoder."""
    cfg = hybrid_config(tokenizer_dir, train, val, batch_size, lr, max_steps)
    del cfg["aux_ctc"]
    cfg["model_defaults"]["tdt_durations"] = TDT_DURATIONS
    cfg["joint"]["num_extra_outputs"] = len(TDT_DURATIONS)
    # greedy_batch (label-looping), as in NVIDIA's published parakeet-tdt model configs.
    cfg["decoding"] = {
        "strategy": "greedy_batch",
        "model_type": "tdt",
        "durations": TDT_DURATIONS,
        "greedy": {"max_symbols": 10},
    }
    # Trained with tdt_loss_cpu.TDTLossCPU (sigma only, no omega term: NeMo's CUDA-only numba loss
    # is the one that implements omega); the config names NeMo's loss so that the model restores
    # as a standard TDT model.
    cfg["loss"] = {
        "loss_name": "tdt",
        "tdt_kwargs": {"fastemit_lambda": 0.0, "clamp": -1.0, "durations": TDT_DURATIONS, "sigma": 0.05, "omega": 0.0},
    }
    return cfg


def _lhotse_data(manifest: str, batch_size: int, shuffle: bool) -> dict[str, Any]:
    # The multitask model reads only through Lhotse; NeMo manifests are read as they are, their
    # prompt fields (source_lang, target_lang, taskname, pnc) becoming the cuts' custom fields.
    return {
        "use_lhotse": True,
        "manifest_filepath": manifest,
        "sample_rate": SAMPLE_RATE,
        "batch_size": batch_size,
        "shuffle": shuffle,
        "num_workers": 0,
        "pin_memory": False,
        "use_bucketing": False,
        "max_duration": 12.0,
        "min_duration": 0.1,
        "text_field": "text",
        "lang_field": "target_lang",
    }


def aed_config(
    tokenizer_dirs: dict[str, str], train: str, val: str, batch_size: int, lr: float, max_steps: int
) -> dict[str, Any]:
    """Canary-style attention encoder-decoder (FastConformer encoder, Transformer decoder) with
    the `canary` prompt format: <|startoftranscript|><|src|><|task|><|tgt|><|pnc|> text <|endoftext|>.

    `tokenizer_dirs` maps "spl_tokens" (CanaryTokenizer special tokens) and each language to a
    SentencePiece dir; the aggregate `CanaryTokenizer` combines them, as in NeMo's
    examples/asr/conf/speech_multitask/fast-conformer_aed.yaml (scaled down ~500x).
    """
    d_model = 96
    enc = _conformer(4, d_model, 8, "dw_striding", 2, 9, d_model)
    return {
        "sample_rate": SAMPLE_RATE,
        "label_smoothing": 0.0,
        "use_loss_mask_for_prompt": False,
        "log_prediction": False,
        "prompt_format": "canary",
        "prompt_defaults": None,
        "restore_timestamps_model": False,
        "model_defaults": {"asr_enc_hidden": d_model, "lm_enc_hidden": d_model, "lm_dec_hidden": d_model},
        "train_ds": _lhotse_data(train, batch_size, True),
        "validation_ds": _lhotse_data(val, 32, False),
        "tokenizer": {
            "dir": None,
            "type": "agg",
            "langs": {lang: {"dir": path, "type": "bpe"} for lang, path in tokenizer_dirs.items()},
            "custom_tokenizer": {
                "_target_": "nemo.collections.common.tokenizers.canary_tokenizer.CanaryTokenizer",
                "tokenizers": None,
            },
        },
        "preprocessor": _preprocessor(),
        "spec_augment": _spec_augment(),
        "encoder": enc,
        "transf_encoder": {
            "_target_": "nemo.collections.asr.modules.transformer.transformer_encoders.TransformerEncoder",
            "num_layers": 0,
            "hidden_size": d_model,
            "inner_size": 4 * d_model,
            "num_attention_heads": 4,
            "ffn_dropout": 0.1,
            "attn_score_dropout": 0.1,
            "attn_layer_dropout": 0.1,
            "mask_future": False,
            "pre_ln": True,
            "pre_ln_final_layer_norm": True,
        },
        "transf_decoder": {
            "_target_": "nemo.collections.asr.modules.transformer.get_nemo_transformer",
            "model_name": None,
            "pretrained": False,
            "encoder": None,
            "pre_ln_final_layer_norm": True,
            "config_dict": {
                "max_sequence_length": 64,
                "num_token_types": 0,
                "embedding_dropout": 0.1,
                "learn_positional_encodings": False,
                "hidden_size": d_model,
                "inner_size": 4 * d_model,
                "num_layers": 2,
                "num_attention_heads": 4,
                "ffn_dropout": 0.1,
                "attn_score_dropout": 0.1,
                "attn_layer_dropout": 0.1,
                "hidden_act": "relu",
                "pre_ln": True,
                "vocab_size": None,
            },
        },
        "head": {
            "_target_": "nemo.collections.asr.parts.submodules.token_classifier.TokenClassifier",
            "num_layers": 1,
            "activation": "relu",
            "log_softmax": True,
            "hidden_size": d_model,
            "num_classes": None,
            "dropout": 0.0,
            "use_transformer_init": True,
        },
        # Beam 1 is greedy search; NeMo's AED configs decode through the beam code path.
        "decoding": {
            "strategy": "beam",
            "return_best_hypothesis": True,
            "beam": {"beam_size": 1, "len_pen": 0.0, "max_generation_delta": 20},
        },
        "loss": {
            "_target_": "nemo.collections.common.losses.smoothed_cross_entropy.SmoothedCrossEntropyLoss",
            "label_smoothing": 0.0,
            "pad_id": None,
        },
        "multitask_metrics_cfg": {
            "log_predictions": False,
            "metrics": {"wer": {"_target_": "nemo.collections.asr.metrics.WER"}},
        },
        "optim": _optim(lr, max_steps, warmup=max(50, max_steps // 15)),
    }


# Cache-aware streaming: [left, right] attention contexts in encoder frames (80 ms each with 8x
# subsampling), NeMo's multi-lookahead list [[70,13],[70,6],[70,1],[70,0]] scaled down for
# utterances of 2-6 s. A chunk is 1 + right frames: 640, 320, 160 and 80 ms.
STREAMING_CONTEXTS = [[32, 7], [32, 3], [32, 1], [32, 0]]


def streaming_config(
    tokenizer_dir: str, train: str, val: str, batch_size: int, lr: float, max_steps: int
) -> dict[str, Any]:
    """Cache-aware streaming FastConformer-CTC (BPE), after NeMo's
    examples/asr/conf/fastconformer/cache_aware_streaming/fastconformer_ctc_bpe_streaming.yaml:
    chunked_limited attention trained with every lookahead of STREAMING_CONTEXTS (one drawn per
    batch) and causal depthwise convolutions. The encoder has the hybrid's
    shapes (4 x 96, 8x dw_striding, kernel 9), so training starts from its encoder and CTC head."""
    d_model = 96
    # Per-file feature normalisation and symmetric subsampling are the hybrid's, kept so that its
    # weights load exactly and a few minutes of CPU fine-tuning suffice (NeMo's streaming configs use
    # normalize "NA" and causal subsampling: a live stream has no file statistics and no future
    # frames; here the statistics are read up front and the subsampling sees 1-2 frames ahead).
    preprocessor = _preprocessor()
    encoder = _conformer(4, d_model, 8, "dw_striding", 2, 9, d_model) | {
        "att_context_style": "chunked_limited",
        "att_context_size": STREAMING_CONTEXTS,
        "att_context_probs": None,
        "conv_context_size": "causal",
        # Batch norm (the hybrid's) rather than the streaming configs' layer norm: in eval mode it is a
        # per-channel affine map, as causal as layer norm, and the hybrid's weights then load as they are.
        "conv_norm_type": "batch_norm",
    }
    return {
        "sample_rate": SAMPLE_RATE,
        "log_prediction": False,
        "tokenizer": {"dir": tokenizer_dir, "type": "bpe"},
        "train_ds": _data(train, batch_size, True, None),
        "validation_ds": _data(val, 32, False, None),
        "preprocessor": preprocessor,
        "spec_augment": _spec_augment(),
        "encoder": encoder,
        "decoder": {
            "_target_": "nemo.collections.asr.modules.ConvASRDecoder",
            "feat_in": d_model,
            "num_classes": -1,
            "vocabulary": [],
        },
        "decoding": {"strategy": "greedy_batch"},
        "optim": _optim(lr, max_steps, warmup=max(50, max_steps // 15)),
    }
