"""Rebuild the bundled tiny digit ASR models from scratch.

    python plugins/asr-registry-digits/build/build_models.py [--out DIR]

Steps: synthesise train/dev/test speech with espeak-ng + sox, train a hybrid
RNNT+CTC FastConformer (SentencePiece) and a character Conformer-CTC in two
parallel single-threaded processes, then measure test WER / CPU RTFx and
write build_report.json. Seeds are fixed, so a rerun gives the same data and
(up to floating-point nondeterminism of CPU kernels) the same models.
Takes ~45 min on 2 CPU cores; CI does not run it.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from evaluate import evaluate_model  # noqa: E402
from synth_data import absolute_manifest, build_split  # noqa: E402

DEFAULT_OUT = HERE.parent / "asr_registry_digits" / "data"
MODELS = {"hybrid": "digits_hybrid.nemo", "ctc": "digits_ctc.nemo"}


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
    p.add_argument(
        "--time-budget-min",
        type=float,
        default=0.0,
        help="train each model for this many wall-clock minutes with a time-driven cosine LR "
        "(epochs then only cap it); 0 = fixed epochs, fully reproducible",
    )
    p.add_argument("--workers", type=int, default=2, help="processes for audio synthesis")
    p.add_argument("--skip-data", action="store_true", help="reuse audio already generated")
    p.add_argument("--skip-train", action="store_true", help="only re-evaluate existing models")
    return p.parse_args()


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def make_data(args: argparse.Namespace) -> dict[str, float]:
    stats: dict[str, float] = {}
    # Train audio stays in scratch (uncompressed wav, fast to load); dev and
    # test are committed, so FLAC.
    splits = [
        ("train", args.train_utts, args.work / "train", "wav"),
        ("dev", args.dev_utts, args.out / "dev", "flac"),
        ("test", args.test_utts, args.out / "test", "flac"),
    ]
    for split, count, folder, ext in splits:
        if not args.skip_data:
            if folder.exists():
                shutil.rmtree(folder)
            t0 = time.time()
            build_split(split, count, args.seed, folder, ext, args.workers)
            log(f"{split}: {count} utterances in {time.time() - t0:.0f} s")
        rows = [json.loads(x) for x in (folder / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
        stats[f"{split}_utterances"] = len(rows)
        stats[f"{split}_hours"] = round(sum(r["duration"] for r in rows) / 3600, 3)
    absolute_manifest(args.work / "train" / "manifest.jsonl", args.work / "train_abs.jsonl")
    absolute_manifest(args.out / "dev" / "manifest.jsonl", args.work / "dev_abs.jsonl")
    return stats


def train_all(args: argparse.Namespace) -> dict[str, dict[str, float]]:
    """Both models at once, one process (and one core) each."""
    models_dir = args.out / "models"
    models_dir.mkdir(parents=True, exist_ok=True)
    procs: dict[str, subprocess.Popen[bytes]] = {}
    for kind, name in MODELS.items():
        epochs = args.epochs_hybrid if kind == "hybrid" else args.epochs_ctc
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


def main() -> None:
    args = parse_args()
    args.out = args.out.resolve()
    args.work = args.work.resolve()
    args.work.mkdir(parents=True, exist_ok=True)
    t_start = time.time()
    stats = make_data(args)
    train_info: dict[str, dict[str, float]] = {}
    previous: dict[str, object] = {}
    if not args.skip_train:
        train_info = train_all(args)
    elif (args.out / "build_report.json").exists():
        previous = json.loads((args.out / "build_report.json").read_text(encoding="utf-8"))
        models = previous.get("models", {})
        train_info = {k: models[k].get("training", {}) for k in MODELS if k in models}  # type: ignore[union-attr]

    import nemo
    import torch

    report: dict[str, object] = {
        "date": datetime.date.today().isoformat(),
        "command": "python plugins/asr-registry-digits/build/build_models.py",
        "seed": args.seed,
        "torch_version": torch.__version__,
        "nemo_version": nemo.__version__,
        "data": stats | {"generator": "espeak-ng + sox", "test_voices": "unseen (held-out accents/variants)"},
        "models": {},
    }
    test_manifest = args.out / "test" / "manifest.jsonl"
    for kind, name in MODELS.items():
        log(f"evaluating {name}")
        res = evaluate_model(args.out / "models" / name, test_manifest)
        res["training"] = train_info.get(kind, {})
        report["models"][kind] = res  # type: ignore[index]
        log(json.dumps(res))
    if previous:
        # Re-evaluation only: the build time and date of the models stay those of the build.
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
