"""OmegaConf model configs for the two tiny digit models.

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
