"""Write the plugin's models.toml from build_report.json: the claims are what the build measured.

    python plugins/asr-registry-digits/build/write_catalog.py [REPORT] [OUT]

Run by build_models.py at the end; rerun by hand after editing the notes below.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

PACKAGE = Path(__file__).resolve().parent.parent / "asr_registry_digits"
ARCHITECTURE = {"EncDecHybridRNNTCTCBPEModel": "fastconformer", "EncDecCTCModel": "conformer"}
FAMILY = {"EncDecHybridRNNTCTCBPEModel": "hybrid", "EncDecCTCModel": "ctc"}
NOTES = {
    "hybrid": "Hybrid RNNT+CTC FastConformer, SentencePiece tokenizer; both decoders usable.",
    "ctc": "CTC-only model with a character vocabulary: a different tokenizer and architecture, "
    "for ensembles with the hybrid.",
}


def _claims(model: dict[str, Any]) -> list[str]:
    rows = []
    for decoder, wer in model["wer"].items():
        rows.append(f'  {{ metric = "wer", value = {wer}, dataset = "digits", split = "test", language = "en", '
                    f'decoder = "{decoder}", precision = "fp32", source = "digits-build" }},')  # fmt: skip
    for decoder, rtfx in model["rtfx_cpu"].items():
        rows.append(f'  {{ metric = "rtfx", value = {rtfx}, dataset = "digits", split = "test", decoder = "{decoder}", '
                    f'batch_size = 16, precision = "fp32", gpu = "cpu", source = "digits-build", '
                    f'note = "NeMo transcribe(), {model["rtfx_threads"]} CPU threads" }},')  # fmt: skip
    return rows


def render(report: dict[str, Any]) -> str:
    lines = [
        "# Catalog entries of the asr-registry-digits plugin, written by build/write_catalog.py from",
        "# data/build_report.json: every claim below was measured by build/build_models.py.",
        "schema_version = 1",
        "",
        "[sources.digits-build]",
        f'title = "measured by plugins/asr-registry-digits/build/build_models.py on the digits test set '
        f'(torch {report["torch_version"]}, NeMo {report["nemo_version"]}, CPU, fp32, batch 16)"',
        f'date = "{report["date"]}"',
    ]
    for kind, model in report["models"].items():
        name = Path(model["file"]).stem
        lines += [
            "",
            f"[models.{name}]",
            'status = "published"',
            f'source = {{ path = "data/models/{model["file"]}", sha256 = "{model["sha256"]}" }}',
            f'architecture = "{ARCHITECTURE[model["class"]]}"',
            f'family = "{FAMILY[model["class"]]}"',
            "decoders = [" + ", ".join(f'"{d}"' for d in model["decoders"]) + "]",
            'size = "tiny"',
            f"parameters = {model['parameters']}",
            'languages = ["en"]',
            'domains = ["digits"]',
            f"sample_rate = {model['sample_rate']}",
            'license = "Apache-2.0"',
            'precision = "fp32"',
            f'notes = "{NOTES[kind]} Trained here on synthetic speech (espeak-ng + sox); '
            f'{model["test_utterances"]} test utterances, voices unseen in training."',
            "claims = [",
            *_claims(model),
            "]",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    report_path = Path(sys.argv[1]) if len(sys.argv) > 1 else PACKAGE / "data" / "build_report.json"
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else PACKAGE / "models.toml"
    out.write_text(render(json.loads(report_path.read_text(encoding="utf-8"))), encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
