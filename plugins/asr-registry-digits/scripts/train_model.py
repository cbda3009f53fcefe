"""Train one tiny digit model; run as a subprocess by build_models.py.

Each model trains in its own process with one torch thread: on a 2-core
machine two single-threaded jobs beat one two-threaded job for models this
small (the kernels are too short to parallelise well).

Usage: python train_model.py {hybrid,ctc,tdt,aed,streaming} WORK_DIR OUT_NEMO EPOCHS SEED [BUDGET_MIN [INIT_ENCODER_NEMO]]

tdt and aed read WORK_DIR/train_abs.jsonl and dev_abs.jsonl like the others; aed instead reads
WORK_DIR/train_aed.jsonl and dev_aed.jsonl (NeMo multitask manifests with prompt fields, written
by build_models.py).
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch
from lightning.pytorch import Callback, LightningModule, Trainer, seed_everything
from omegaconf import OmegaConf

sys.path.insert(0, str(Path(__file__).resolve().parent))
from model_configs import (
    TDT_DURATIONS,
    aed_config,
    ctc_config,
    ctc_labels,
    hybrid_config,
    streaming_config,
    tdt_config,
)
from synth_data import EXTRA_WORDS, SPANISH, VOCAB

BATCH_SIZE = 32
# Safety net so the build always finishes in bounded time on a busy machine;
# the fixed epoch count normally ends training well before this.
MAX_TRAIN_MINUTES = 52


class SaveNemoEachEpoch(Callback):
    """Writes a .nemo snapshot after every epoch so a crash or a time-out
    still leaves the latest usable model behind."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def on_train_epoch_end(self, trainer: Trainer, pl_module: LightningModule) -> None:
        tmp = self.path.with_suffix(".tmp.nemo")
        pl_module.save_to(str(tmp))  # type: ignore[operator]
        tmp.replace(self.path)
        metrics = {k: float(v) for k, v in trainer.callback_metrics.items()}
        print(f"[{time.strftime('%H:%M:%S')}] epoch {trainer.current_epoch} {metrics}", flush=True)


class TimeBudgetCosineLR(Callback):
    """Linear warm-up by steps, then cosine decay by elapsed wall time.

    Used with --time-budget-min: on a shared machine the step rate is
    unpredictable, and a step-based cosine schedule cut short by max_time
    ends at a high learning rate. Driving the decay by the clock guarantees
    a fully annealed model when the budget runs out (at the cost of
    bit-for-bit reproducibility, since the step count depends on load).
    """

    def __init__(self, budget_s: float, peak_lr: float, min_lr: float, warmup_steps: int) -> None:
        self.budget_s = budget_s
        self.peak_lr = peak_lr
        self.min_lr = min_lr
        self.warmup_steps = warmup_steps
        self.t0 = 0.0

    def on_train_start(self, trainer: Trainer, pl_module: LightningModule) -> None:
        self.t0 = time.time()

    def on_train_batch_start(self, trainer: Trainer, pl_module: LightningModule, batch: object, batch_idx: int) -> None:
        step = trainer.global_step
        frac = min(1.0, (time.time() - self.t0) / self.budget_s)
        lr = self.min_lr + 0.5 * (self.peak_lr - self.min_lr) * (1 + math.cos(math.pi * frac))
        if step < self.warmup_steps:
            lr = min(lr, self.peak_lr * (step + 1) / self.warmup_steps)
        for group in trainer.optimizers[0].param_groups:
            group["lr"] = lr


def build_tokenizer(
    texts: list[str], out_dir: Path, vocab_size: int, single: list[str] = EXTRA_WORDS, vocab: list[str] = VOCAB
) -> Path:
    """SentencePiece unigram tokenizer in the layout NeMo's BPE models want
    (tokenizer.model, tokenizer.vocab, vocab.txt); `single` words are forced to be one piece."""
    from nemo.collections.common.tokenizers.sentencepiece_tokenizer import create_spt_model

    out_dir.mkdir(parents=True, exist_ok=True)
    corpus = out_dir / "corpus.txt"
    corpus.write_text("\n".join(texts) + "\n", encoding="utf-8")
    # With plain unigram training at vocab 32 the rarer words ("oh", "point",
    # "double") end up spelled letter by letter, and a 5-token word cannot
    # fit in the few 80 ms CTC frames of a fast speaker. Forcing them to be
    # single pieces makes every vocabulary word exactly one token.
    create_spt_model(
        str(corpus),
        vocab_size,
        sample_size=-1,
        do_lower_case=True,
        tokenizer_type="unigram",
        output_dir=str(out_dir),
        user_defined_symbols=["\u2581" + w for w in single],
    )
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(out_dir / "tokenizer.model"))
    multi = [w for w in vocab if len(sp.encode(w, out_type=str)) != 1]
    print(f"tokenizer: words not single pieces: {multi}", flush=True)
    return out_dir


def donor_tokenizer(nemo_path: Path, out_dir: Path) -> Path:
    """The SentencePiece files of a .nemo (stored as <hash>_tokenizer.model etc.) under NeMo's names."""
    import tarfile

    out_dir.mkdir(parents=True, exist_ok=True)
    with tarfile.open(nemo_path) as archive:
        for member in archive.getmembers():
            for name in ("tokenizer.model", "tokenizer.vocab", "vocab.txt"):
                if member.name.endswith("_" + name):
                    source = archive.extractfile(member)
                    assert source is not None
                    (out_dir / name).write_bytes(source.read())
    return out_dir


def main() -> None:
    kind, work, out_nemo = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    epochs, seed = int(sys.argv[4]), int(sys.argv[5])
    budget_min = float(sys.argv[6]) if len(sys.argv) > 6 else 0.0
    init_encoder = Path(sys.argv[7]) if len(sys.argv) > 7 and sys.argv[7] else None
    torch.set_num_threads(1)
    seed_everything(seed, workers=True)
    train_manifest = work / "train_abs.jsonl"
    dev_manifest = work / "dev_abs.jsonl"
    texts = [json.loads(line)["text"] for line in train_manifest.read_text(encoding="utf-8").splitlines()]
    steps = epochs * math.ceil(len(texts) / BATCH_SIZE)

    if kind == "hybrid":
        from nemo.collections.asr.models import EncDecHybridRNNTCTCBPEModel

        tok = build_tokenizer(texts, work / "tokenizer_spe", vocab_size=32)
        cfg = OmegaConf.create(hybrid_config(str(tok), str(train_manifest), str(dev_manifest), BATCH_SIZE, 4e-3, steps))
        model_cls: type = EncDecHybridRNNTCTCBPEModel
    elif kind == "tdt":
        from nemo.collections.asr.models import EncDecRNNTBPEModel

        tok = build_tokenizer(texts, work / "tokenizer_tdt", vocab_size=32)
        cfg = OmegaConf.create(tdt_config(str(tok), str(train_manifest), str(dev_manifest), BATCH_SIZE, 4e-3, steps))
        model_cls = EncDecRNNTBPEModel
    elif kind == "streaming":
        from nemo.collections.asr.models import EncDecCTCModelBPE

        if init_encoder is not None:
            # Fine-tuned from the hybrid (same encoder shapes, see streaming_config): its tokenizer too,
            # so that its CTC head starts right.
            tok = donor_tokenizer(init_encoder, work / "tokenizer_streaming")
        else:
            tok = build_tokenizer(texts, work / "tokenizer_streaming", vocab_size=32)
        cfg = OmegaConf.create(
            streaming_config(
                str(tok), str(train_manifest), str(dev_manifest), BATCH_SIZE, 2e-3 if init_encoder else 4e-3, steps
            )
        )
        model_cls = EncDecCTCModelBPE
    elif kind == "aed":
        from nemo.collections.asr.models import EncDecMultiTaskModel
        from nemo.collections.common.tokenizers import CanaryTokenizer

        train_manifest = work / "train_aed.jsonl"
        dev_manifest = work / "dev_aed.jsonl"
        rows = [json.loads(line) for line in train_manifest.read_text(encoding="utf-8").splitlines()]
        steps = epochs * math.ceil(len(rows) / BATCH_SIZE)
        spanish = sorted(set(SPANISH.values()))
        dirs = {"spl_tokens": str(work / "tokenizer_aed" / "spl_tokens")}
        CanaryTokenizer.build_special_tokenizer(["transcribe", "translate", "en", "es"], dirs["spl_tokens"], True)
        # As for English, the rare words are forced to one piece ("oh" has no Spanish counterpart).
        rare_es = [SPANISH["point"], SPANISH["double"]]
        for lang, single, vocab in (("en", EXTRA_WORDS, VOCAB), ("es", rare_es, spanish)):
            lang_texts = [r["text"] for r in rows if r["target_lang"] == lang]
            dirs[lang] = str(build_tokenizer(lang_texts, work / "tokenizer_aed" / lang, 32, single, vocab))
        lr = 1e-3 if init_encoder else 2e-3  # gentler on a pretrained encoder
        cfg = OmegaConf.create(aed_config(dirs, str(train_manifest), str(dev_manifest), BATCH_SIZE, lr, steps))
        model_cls = EncDecMultiTaskModel
    else:
        from nemo.collections.asr.models import EncDecCTCModel

        cfg = OmegaConf.create(
            ctc_config(ctc_labels(texts), str(train_manifest), str(dev_manifest), BATCH_SIZE, 4e-3, steps)
        )
        model_cls = EncDecCTCModel

    callbacks: list[Callback] = [SaveNemoEachEpoch(out_nemo.with_suffix(".last.nemo"))]
    max_minutes = float(MAX_TRAIN_MINUTES)
    if budget_min > 0:
        # Replace NeMo's step-based scheduler by the wall-clock one.
        peak = float(cfg.optim.lr)
        del cfg.optim["sched"]
        callbacks.append(TimeBudgetCosineLR(budget_min * 60, peak, peak * 0.02, warmup_steps=100))
        max_minutes = budget_min
    trainer = Trainer(
        accelerator="cpu",
        devices=1,
        max_epochs=epochs,
        max_time={"minutes": max_minutes},
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        num_sanity_val_steps=0,
        check_val_every_n_epoch=2,
        log_every_n_steps=50,
        gradient_clip_val=1.0,
        callbacks=callbacks,
    )
    model = model_cls(cfg=cfg, trainer=trainer)
    if kind == "tdt":
        # NeMo's own TDT losses are CUDA-only; train with the CPU one (the saved config is unchanged).
        from tdt_loss_cpu import TDTLossCPU

        model.loss._loss = TDTLossCPU(blank=model.loss._blank, durations=TDT_DURATIONS, sigma=0.05)
    if init_encoder is not None:
        # NeMo's advice for AED models: start from a pretrained ASR encoder. From scratch, the tiny
        # AED's decoder learnt only the output prior within a 46-minute CPU budget (val WER 94%);
        # the hybrid's encoder has the same config (4 x 96, 8x dw_striding, 64 mels).
        from nemo.collections.asr.models import ASRModel

        donor = ASRModel.restore_from(str(init_encoder), map_location="cpu")
        state = donor.encoder.state_dict()
        if kind == "streaming":
            # Causal subsampling pads the mel axis differently: its output projection has another
            # input size and starts afresh; every other weight is the hybrid's.
            own = model.encoder.state_dict()
            fresh = [k for k, v in state.items() if own[k].shape != v.shape]
            state = {k: v for k, v in state.items() if k not in fresh} | {k: own[k] for k in fresh}
            print(f"{kind}: not initialised (other shape): {fresh}", flush=True)
        model.encoder.load_state_dict(state)
        print(f"{kind}: encoder initialised from {init_encoder.name}", flush=True)
        if kind == "streaming":
            model.decoder.load_state_dict(donor.ctc_decoder.state_dict())
            print(f"{kind}: CTC head initialised from {init_encoder.name}'s", flush=True)
        del donor
    n_params = sum(p.numel() for p in model.parameters())
    print(f"{kind}: {n_params} parameters, {steps} steps", flush=True)
    t0 = time.time()
    trainer.fit(model)
    print(f"{kind}: trained in {time.time() - t0:.0f} s", flush=True)
    model.save_to(str(out_nemo))
    (out_nemo.with_suffix(".train.json")).write_text(
        json.dumps(
            {
                "train_seconds": round(time.time() - t0, 1),
                "epochs_planned": epochs,
                "epochs_completed": trainer.current_epoch,
                "steps": trainer.global_step,
                "batch_size": BATCH_SIZE,
                "seed": seed,
                "time_budget_min": budget_min,
            }
        ),
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
