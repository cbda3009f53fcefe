"""Rebuild the bundled tiny digit ASR models from scratch.

    python plugins/asr-registry-digits/scripts/build_models.py [--out DIR] [--only tdt,aed]

Steps: synthesise train/dev/test speech with espeak-ng + sox, train a hybrid
RNNT+CTC FastConformer (SentencePiece), a character Conformer-CTC, a TDT
FastConformer, a Canary-style multitask AED (English + Spanish, ASR and
digit translation) and a cache-aware streaming FastConformer-CTC (multi-lookahead;
its WER and chunk latency per chunk size measured by `bench --streaming`) in parallel single-threaded processes, then measure test
WER / CPU RTFx and write build_report.json. Seeds are fixed, so a rerun gives
the same data and (up to floating-point nondeterminism of CPU kernels) the same
models. `--only` rebuilds some kinds and merges them into the existing report
and catalog, leaving the other models' files and claims as they are.
Takes ~45 min on 2 CPU cores; CI does not run it.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from evaluate import evaluate_model  # noqa: E402
from synth_data import absolute_manifest, build_split, translate  # noqa: E402

DEFAULT_OUT = HERE.parent / "asr_registry_digits" / "data"
MODELS = {
    "hybrid": "digits_hybrid.nemo",
    "ctc": "digits_ctc.nemo",
    "tdt": "digits_tdt.nemo",
    "aed": "digits_aed.nemo",
    "streaming": "digits_streaming.nemo",
}
# The AED's evaluation prompts: (test split folder, dataset name, spoken language, output language).
AED_EVALS = [("test", "digits", "en", "en"), ("test_es", "digits-es", "es", "es"), ("test", "digits", "en", "es")]


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="package data dir to (re)write")
    p.add_argument("--work", type=Path, default=Path("/tmp/digits_work/build"), help="scratch dir (train audio)")
    p.add_argument("--seed", type=int, default=20251125)
    p.add_argument("--train-utts", type=int, default=4000)
    p.add_argument("--dev-utts", type=int, default=100)
    p.add_argument("--test-utts", type=int, default=180)
    p.add_argument("--epochs-hybrid", type=int, default=8)
    p.add_argument("--epochs-ctc", type=int, default=8)
    p.add_argument("--epochs-tdt", type=int, default=8)
    p.add_argument("--epochs-aed", type=int, default=8)
    p.add_argument("--epochs-streaming", type=int, default=40, help="a cap: --time-budget-min ends it sooner")
    p.add_argument("--train-utts-es", type=int, default=2000, help="Spanish training utterances (AED only)")
    p.add_argument("--dev-utts-es", type=int, default=40)
    p.add_argument("--test-utts-es", type=int, default=80)
    p.add_argument(
        "--only",
        default=",".join(MODELS),
        help="comma-separated kinds to build (%(default)s); the others keep their files and claims",
    )
    p.add_argument(
        "--time-budget-min",
        type=float,
        default=0.0,
        help="train each model for this many wall-clock minutes with a time-driven cosine LR "
        "(epochs then only cap it); 0 = fixed epochs, fully reproducible",
    )
    p.add_argument("--workers", type=int, default=2, help="processes for audio synthesis")
    p.add_argument("--skip-data", action="store_true", help="reuse audio already generated")
    p.add_argument(
        "--resume-data",
        action="store_true",
        help="keep audio files an interrupted synthesis (same seed) left and make only the missing ones",
    )
    p.add_argument("--skip-train", action="store_true", help="only re-evaluate existing models")
    return p.parse_args()


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def make_data(args: argparse.Namespace, kinds: list[str]) -> dict[str, float]:
    stats: dict[str, float] = {}
    # Train audio stays in scratch (uncompressed wav, fast to load); dev and
    # test are committed, so FLAC. With --only, committed splits of models not
    # rebuilt stay untouched (the English dev/test sets are shared by all).
    rebuild_all = set(kinds) == set(MODELS)
    splits = [
        ("train", "en", args.train_utts, args.work / "train", "wav", True),
        ("dev", "en", args.dev_utts, args.out / "dev", "flac", rebuild_all),
        ("test", "en", args.test_utts, args.out / "test", "flac", rebuild_all),
    ]
    if "aed" in kinds:
        splits += [
            ("train", "es", args.train_utts_es, args.work / "train_es", "wav", True),
            ("dev", "es", args.dev_utts_es, args.work / "dev_es", "wav", True),
            ("test", "es", args.test_utts_es, args.out / "test_es", "flac", True),
        ]
    for split, language, count, folder, ext, generate in splits:
        name = split if language == "en" else f"{split}_{language}"
        if generate and not args.skip_data:
            if folder.exists() and not args.resume_data:
                shutil.rmtree(folder)
            t0 = time.time()
            build_split(split, count, args.seed, folder, ext, args.workers, language)
            log(f"{name}: {count} utterances in {time.time() - t0:.0f} s")
        rows = [json.loads(x) for x in (folder / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
        stats[f"{name}_utterances"] = len(rows)
        stats[f"{name}_hours"] = round(sum(r["duration"] for r in rows) / 3600, 3)
    absolute_manifest(args.work / "train" / "manifest.jsonl", args.work / "train_abs.jsonl")
    absolute_manifest(args.out / "dev" / "manifest.jsonl", args.work / "dev_abs.jsonl")
    if "aed" in kinds:
        write_aed_manifests(args)
    return stats


def write_aed_manifests(args: argparse.Namespace) -> None:
    """Multitask manifests with Canary prompt fields for the AED.

    Every training utterance is used once, with a task drawn at random: 70% transcription
    (output in the spoken language), 30% translation into the other language (digits
    translate word for word); `pnc` is drawn too, since digit strings read the same with
    or without punctuation and capitals, so either prompt value works. Validation is
    English and Spanish transcription.
    """
    rng = random.Random(args.seed)
    other = {"en": "es", "es": "en"}

    def rows(manifest: Path, language: str, train: bool) -> list[dict[str, object]]:
        out = []
        for line in manifest.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            row["audio_filepath"] = str((manifest.parent / row["audio_filepath"]).resolve())
            target = other[language] if train and rng.random() < 0.3 else language
            english = row.get("text_en") or row["text"]
            row.update(source_lang=language, target_lang=target, taskname="asr" if target == language else "ast")
            row["pnc"] = rng.choice(["yes", "no"]) if train else "yes"
            if target != language:
                # The plan's words are English; Spanish rows carry their translation.
                row["text"] = " ".join(translate(str(english).split(), target)) if target == "es" else english
            out.append(row)
        return out

    train = rows(args.work / "train" / "manifest.jsonl", "en", True)
    train += rows(args.work / "train_es" / "manifest.jsonl", "es", True)
    rng.shuffle(train)
    dev = rows(args.out / "dev" / "manifest.jsonl", "en", False)
    dev += rows(args.work / "dev_es" / "manifest.jsonl", "es", False)
    for name, data in (("train_aed.jsonl", train), ("dev_aed.jsonl", dev)):
        with open(args.work / name, "w", encoding="utf-8") as f:
            f.writelines(json.dumps(r) + "\n" for r in data)


def train_all(args: argparse.Namespace, kinds: list[str]) -> dict[str, dict[str, float]]:
    """All models at once, one process (and one torch thread) each."""
    models_dir = args.out / "models"
    models_dir.mkdir(parents=True, exist_ok=True)
    procs: dict[str, subprocess.Popen[bytes]] = {}
    for kind in kinds:
        name = MODELS[kind]
        epochs = getattr(args, f"epochs_{kind}")
        log_file = open(args.work / f"train_{kind}.log", "wb")  # noqa: SIM115 - lives as long as the child
        cmd = [
            sys.executable,
            str(HERE / "train_model.py"),
            kind,
            str(args.work),
            str(args.work / name),
            str(epochs),
            str(args.seed),
            str(args.time_budget_min),
        ]
        if kind in ("aed", "streaming") and (models_dir / MODELS["hybrid"]).is_file():
            cmd.append(str(models_dir / MODELS["hybrid"]))  # encoder initialisation (see train_model.py)
        procs[kind] = subprocess.Popen(cmd, stdout=log_file, stderr=subprocess.STDOUT)
        log(f"training {kind}: {' '.join(cmd)} (log: {log_file.name})")
    info: dict[str, dict[str, float]] = {}
    for kind, proc in procs.items():
        if proc.wait() != 0:
            raise SystemExit(f"training {kind} failed, see {args.work / f'train_{kind}.log'}")
        name = MODELS[kind]
        shutil.copyfile(args.work / name, models_dir / name)
        info[kind] = json.loads((args.work / name).with_suffix(".train.json").read_text(encoding="utf-8"))
        log(f"{kind} done: {info[kind]}")
    return info


def evaluate_aed(nemo_path: Path, out: Path) -> dict[str, object]:
    """The AED on each of its prompts: English and Spanish transcription are claims; English to
    Spanish digit translation is only reported (its references are not a bench dataset)."""
    first, *rest = AED_EVALS
    split, dataset, source, target = first
    res = evaluate_model(nemo_path, out / split / "manifest.jsonl", prompt=_prompt(source, target))
    extra = []
    for split, dataset, source, target in rest:
        manifest = out / split / "manifest.jsonl"
        refs = None
        if source != target:
            rows = [json.loads(x) for x in manifest.read_text(encoding="utf-8").splitlines()]
            refs = [" ".join(translate(str(r["text"]).split(), target)) for r in rows]
        wer = evaluate_model(nemo_path, manifest, prompt=_prompt(source, target), rounds=0, refs=refs)["wer"]["aed"]
        extra.append({"dataset": dataset, "split": "test", "language": source, "target_language": target, "wer": wer})
    res["prompted_wer"] = extra
    return res


def _prompt(source: str, target: str) -> dict[str, str]:
    # "taskname", not "task": for a list of audio paths NeMo 3.0's transcribe() copies only
    # source_lang, target_lang, taskname and pnc from the prompt into each item (it would
    # silently use taskname=asr if given "task").
    return {
        "source_lang": source,
        "target_lang": target,
        "taskname": "asr" if source == target else "ast",
        "pnc": "yes",
    }


def main() -> None:
    args = parse_args()
    kinds = [k.strip() for k in args.only.split(",") if k.strip()]
    unknown = sorted(set(kinds) - set(MODELS))
    if unknown or not kinds:
        raise SystemExit(f"--only: unknown kind(s) {unknown}; expected some of {', '.join(MODELS)}")
    args.out = args.out.resolve()
    args.work = args.work.resolve()
    args.work.mkdir(parents=True, exist_ok=True)
    t_start = time.time()
    train_info: dict[str, dict[str, float]] = {}
    previous: dict[str, object] = {}
    partial = set(kinds) != set(MODELS)
    if (args.skip_train or partial) and (args.out / "build_report.json").exists():
        previous = json.loads((args.out / "build_report.json").read_text(encoding="utf-8"))
    stats = {k: v for k, v in previous.get("data", {}).items() if k not in ("generator", "test_voices")}  # type: ignore[union-attr]
    if not (args.skip_train and args.skip_data and previous):
        # (Re-evaluation only needs no data: the training audio is scratch, not committed.)
        stats |= make_data(args, kinds)
    if not args.skip_train:
        train_info = train_all(args, kinds)
    elif previous:
        models = previous.get("models", {})
        train_info = {k: models[k].get("training", {}) for k in kinds if k in models}  # type: ignore[union-attr]
    for kind in kinds:
        # A model new to the report, trained beforehand by train_model.py into --work: its training record.
        record = (args.work / MODELS[kind]).with_suffix(".train.json")
        if args.skip_train and kind not in train_info and record.is_file():
            train_info[kind] = json.loads(record.read_text(encoding="utf-8"))

    import nemo
    import torch

    report: dict[str, object] = {
        "date": datetime.date.today().isoformat(),
        "command": "python plugins/asr-registry-digits/scripts/build_models.py",
        "seed": args.seed,
        "torch_version": torch.__version__,
        "nemo_version": nemo.__version__,
        "data": stats | {"generator": "espeak-ng + sox", "test_voices": "unseen (held-out accents/variants)"},
        "models": {},
    }
    test_manifest = args.out / "test" / "manifest.jsonl"
    if partial:
        # Models not rebuilt keep their entries (and claims) exactly; read again now, since another
        # partial build may have finished meanwhile.
        path = args.out / "build_report.json"
        latest = json.loads(path.read_text(encoding="utf-8")) if path.exists() else previous
        report["models"] = {k: v for k, v in latest.get("models", {}).items() if k not in kinds}
    for kind in kinds:
        name = MODELS[kind]
        log(f"evaluating {name}")
        if kind == "aed":
            res = evaluate_aed(args.out / "models" / name, args.out)
        elif kind == "streaming":
            from evaluate_streaming import evaluate_streaming

            res = evaluate_model(args.out / "models" / name, test_manifest)
            res["streaming"] = evaluate_streaming(args.out / "models" / name, test_manifest)
        else:
            res = evaluate_model(args.out / "models" / name, test_manifest)
        res["training"] = train_info.get(kind, {})
        if partial and not args.skip_train:
            res["built"] = datetime.date.today().isoformat()
            res["build_command"] = f"{report['command']} --only {args.only}"
        elif kind not in previous.get("models", {}):  # type: ignore[operator]
            # New, trained beforehand (train_model.py, as this script runs it), evaluated here.
            res["built"] = datetime.date.today().isoformat()
            res["build_command"] = f"{report['command']} --only {args.only} --skip-train"
        elif kind in previous.get("models", {}):  # type: ignore[operator]
            # Re-evaluation: when and how the model was built stays as recorded.
            for key in ("built", "build_command"):
                if key in previous["models"][kind]:  # type: ignore[index]
                    res[key] = previous["models"][kind][key]  # type: ignore[index]
        report["models"][kind] = res  # type: ignore[index]
        log(json.dumps(res))
    order = list(MODELS)
    report["models"] = dict(sorted(report["models"].items(), key=lambda kv: order.index(kv[0])))  # type: ignore[union-attr]
    if previous:
        # The build time and date stay those of the full build (a partial one dates its own models).
        report["build_seconds"] = previous.get("build_seconds")
        report["date"] = previous.get("date", report["date"])
        report["evaluated"] = datetime.date.today().isoformat()
    else:
        report["build_seconds"] = round(time.time() - t_start, 1)
    (args.out / "build_report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    log(f"wrote {args.out / 'build_report.json'}")
    # The plugin's catalog entries carry these measurements as claims.
    from write_catalog import render

    catalog = args.out.parent / "models.toml"
    catalog.write_text(render(report), encoding="utf-8")
    log(f"wrote {catalog}")


if __name__ == "__main__":
    main()
