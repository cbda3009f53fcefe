"""Write the plugin's models.toml from build_report.json: the claims are what the build measured.

    python plugins/asr-registry-digits/scripts/write_catalog.py [REPORT] [OUT]

Run by build_models.py at the end; rerun by hand after editing the notes below.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

PACKAGE = Path(__file__).resolve().parent.parent / "asr_registry_digits"
ARCHITECTURE = {
    "EncDecHybridRNNTCTCBPEModel": "fastconformer",
    "EncDecCTCModel": "conformer",
    "EncDecRNNTBPEModel": "fastconformer",
    "EncDecMultiTaskModel": "fastconformer",
    "EncDecCTCModelBPE": "fastconformer",
}
FAMILY = {
    "EncDecHybridRNNTCTCBPEModel": "hybrid",
    "EncDecCTCModel": "ctc",
    "EncDecMultiTaskModel": "aed",
    "EncDecCTCModelBPE": "ctc",
}
NOTES = {
    "hybrid": "Hybrid RNNT+CTC FastConformer, SentencePiece tokenizer; both decoders usable.",
    "ctc": "CTC-only model with a character vocabulary: a different tokenizer and architecture, "
    "for ensembles with the hybrid.",
    "tdt": "Token-and-duration transducer (TDT, durations 0-4) FastConformer, SentencePiece tokenizer.",
    "aed": "Canary-style multitask attention encoder-decoder (FastConformer encoder, 2-layer Transformer decoder, "
    "canary prompt format, CanaryTokenizer over English and Spanish SentencePiece tokenizers): transcribes English "
    "and Spanish digit strings and translates them between the two; needs source_lang and target_lang "
    "(task and pnc default to asr and yes). Encoder initialised from digits_hybrid's, as NeMo advises for AED "
    "training; the English test set is digits:test, the Spanish one digits-es:test.",
    "streaming": "Cache-aware streaming FastConformer-CTC (SentencePiece): chunked_limited attention and causal "
    "convolutions, trained with four lookaheads like NeMo's multi-lookahead streaming models: att_context_size "
    "[32, 7|3|1|0] = chunks of 640/320/160/80 ms. Fine-tuned for 9 minutes on a shared 2-core CPU from digits_hybrid's encoder and CTC "
    "head, so it keeps the hybrid's per-file feature normalisation and symmetric subsampling (NeMo's streaming "
    "configs use none and causal subsampling): the file's feature statistics are read up front, which a live "
    "stream could not do. `transcribe --streaming` runs it chunk by chunk; the chunk_ms claims were measured that "
    "way (`bench --streaming`), the others offline.",
}
# What the multitask model must be told with each input, and what it can do.
PROMPTED = {"aed": {"tasks": ["asr", "ast"], "prompt": ["source_lang", "target_lang", "task", "pnc"]}}


def _family(model: dict[str, Any]) -> str:
    if model["class"] == "EncDecRNNTBPEModel":
        return "tdt" if model["decoders"] == ["tdt"] else "rnnt"
    return FAMILY[model["class"]]


def _languages(model: dict[str, Any]) -> list[str]:
    found = ["en", *(p["language"] for p in model.get("prompted_wer", []))]
    return list(dict.fromkeys(found))


def _source_key(model: dict[str, Any]) -> str:
    """Models added by a later partial build (`--only`) cite a source dated by that build."""
    return f"digits-build-{model['built']}" if model.get("built") else "digits-build"


def _claims(model: dict[str, Any]) -> list[str]:
    src = _source_key(model)
    rows = []
    for decoder, wer in model["wer"].items():
        rows.append(
            f'  {{ metric = "wer", value = {wer}, dataset = "digits", split = "test", language = "en", '
            f'decoder = "{decoder}", precision = "fp32", source = "{src}" }},'
        )
    for extra in model.get("prompted_wer", []):
        # Transcription in another language is a claim on that language's test set; translation
        # (source != target) is only in the build report: no bench dataset has its references.
        if extra["language"] == extra["target_language"]:
            rows.append(
                f'  {{ metric = "wer", value = {extra["wer"]}, dataset = "{extra["dataset"]}", '
                f'split = "{extra["split"]}", language = "{extra["language"]}", decoder = "aed", '
                f'precision = "fp32", source = "{src}" }},'
            )
    # A CPU speed figure holds on this CPU model at this thread count only: both are recorded,
    # and the bench checks the claim only where they match.
    for decoder, rtfx in model["rtfx_cpu"].items():
        busy = (model.get("rtfx_contention") or {}).get(decoder) or {}
        load = f", other processes used {busy['other_cores']} cores meanwhile" if busy.get("busy") else ""
        rows.append(
            f'  {{ metric = "rtfx", value = {rtfx}, dataset = "digits", split = "test", decoder = "{decoder}", '
            f'batch_size = 16, precision = "fp32", gpu = "cpu", cpu = "{model["rtfx_cpu_model"]}", '
            f'threads = {model["rtfx_threads"]}, source = "{src}", '
            f'note = "NeMo transcribe(), median of {model.get("rtfx_rounds", 1)} round(s){load}" }},'
        )
    rows += _streaming_claims(model, src)
    return rows


def _streaming_fields(model: dict[str, Any]) -> list[str]:
    streaming = model.get("streaming")
    if not streaming:
        return []
    contexts = ", ".join(f"[{left}, {right}]" for left, right in streaming["att_context_sizes"])
    return [
        "streaming = true",
        f"att_context_sizes = [{contexts}]",
        "chunk_sizes_ms = [" + ", ".join(str(ms) for ms in streaming["chunk_sizes_ms"]) + "]",
    ]


def _delay_fields(model: dict[str, Any]) -> list[str]:
    """Each decoder's emission delay (scripts/calibrate_timestamps.py), where it was measured."""
    delays = model.get("emission_delay_s")
    if not delays:
        return []
    return ["emission_delay_s = { " + ", ".join(f"{d} = {s}" for d, s in delays.items()) + " }"]


def _streaming_claims(model: dict[str, Any], src: str) -> list[str]:
    """WER per chunk size, and compute latency per chunk step on this CPU at this thread count."""
    streaming = model.get("streaming")
    if not streaming:
        return []
    busy = streaming.get("contention") or ""
    load = f", other work meanwhile: {busy}" if busy else ""
    rows = []
    for row in streaming["rows"]:
        if row["chunk_ms"] is None:
            continue  # the offline WER is the plain claim above
        rows.append(
            f'  {{ metric = "wer", value = {row["wer"]}, dataset = "digits", split = "test", language = "en", '
            f'decoder = "ctc", chunk_ms = {row["chunk_ms"]}, precision = "fp32", source = "{src}", '
            f'note = "streamed chunk by chunk (bench --streaming)" }},'
        )
    for row in streaming["rows"]:
        if row["chunk_ms"] is None:
            continue
        rows.append(
            f'  {{ metric = "chunk_latency_ms", value = {row["latency_ms"]}, dataset = "digits", split = "test", '
            f'decoder = "ctc", chunk_ms = {row["chunk_ms"]}, batch_size = {streaming["batch_size"]}, '
            f'precision = "fp32", gpu = "cpu", cpu = "{streaming["cpu_model"]}", threads = {streaming["threads"]}, '
            f'source = "{src}", note = "median compute per chunk step of a batch, p95 {row["latency_p95_ms"]} ms, '
            f'RTF {row["rtf"]}{load}" }},'
        )
    return rows


def render(report: dict[str, Any]) -> str:
    lines = [
        "# Catalog entries of the asr-registry-digits plugin, written by scripts/write_catalog.py from",
        "# data/build_report.json: every claim below was measured by scripts/build_models.py.",
        "schema_version = 1",
        "",
        "[sources.digits-build]",
        f'title = "measured by plugins/asr-registry-digits/scripts/build_models.py on the digits test set '
        f'(torch {report["torch_version"]}, NeMo {report["nemo_version"]}, CPU, fp32, batch 16)"',
        f'date = "{report["date"]}"',
    ]
    for built in sorted({m["built"] for m in report["models"].values() if m.get("built")}):
        commands = sorted({m.get("build_command", "") for m in report["models"].values() if m.get("built") == built})
        lines += [
            "",
            f"[sources.digits-build-{built}]",
            f'title = "measured by {" and ".join(c for c in commands if c)} on the digits test sets '
            f'(torch {report["torch_version"]}, NeMo {report["nemo_version"]}, CPU, fp32, batch 16)"',
            f'date = "{built}"',
        ]
    for kind, model in report["models"].items():
        name = Path(model["file"]).stem
        lines += [
            "",
            f"[models.{name}]",
            'status = "published"',
            f'source = {{ path = "data/models/{model["file"]}", sha256 = "{model["sha256"]}" }}',
            f'architecture = "{ARCHITECTURE[model["class"]]}"',
            f'family = "{_family(model)}"',
            "decoders = [" + ", ".join(f'"{d}"' for d in model["decoders"]) + "]",
            'size = "tiny"',
            f"parameters = {model['parameters']}",
            "languages = [" + ", ".join(f'"{lang}"' for lang in _languages(model)) + "]",
            *(f"{key} = {json.dumps(value)}" for key, value in PROMPTED.get(kind, {}).items()),
            'domains = ["digits"]',
            f"sample_rate = {model['sample_rate']}",
            'license = "Apache-2.0"',
            'precision = "fp32"',
            *_streaming_fields(model),
            *_delay_fields(model),
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
