"""Plain helpers for engine tests: the digits plugin's files, a test catalog, row I/O, WER."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asr_registry.catalog.schema import ModelEntry, ModelSource
from tests.support import REPO, catalog_entry

DIGITS_DATA = REPO / "plugins" / "asr-registry-digits" / "asr_registry_digits" / "data"
HYBRID_NEMO = DIGITS_DATA / "models" / "digits_hybrid.nemo"
CTC_NEMO = DIGITS_DATA / "models" / "digits_ctc.nemo"
TEST_MANIFEST = DIGITS_DATA / "test" / "manifest.jsonl"


@dataclass(frozen=True)
class Digits:
    hybrid: Path
    ctc: Path
    hybrid_sha256: str
    ctc_sha256: str
    manifest: Path
    rows: tuple[dict[str, Any], ...]

    def audio(self, row: dict[str, Any]) -> Path:
        return self.manifest.parent / row["audio_filepath"]


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def model_entry(digits: Digits, kind: str, **fields: Any) -> ModelEntry:
    path, sha = (digits.hybrid, digits.hybrid_sha256) if kind == "hybrid" else (digits.ctc, digits.ctc_sha256)
    hybrid = kind == "hybrid"
    base: dict[str, Any] = {
        "source": ModelSource(path=str(path), sha256=sha),
        "decoders": ("rnnt", "ctc") if hybrid else ("ctc",),
    }
    return catalog_entry(f"t-digits-{kind}", "hybrid" if hybrid else "ctc", **{**base, **fields})


CATALOG = """\
schema_version = 1

[sources.test]
title = "engine test fixture"
date = "2026-11-25"

[models.t-digits-hybrid]
status = "published"
source = {{ path = "{hybrid}", sha256 = "{hybrid_sha}" }}
family = "hybrid"
decoders = ["rnnt", "ctc"]
size = "tiny"
languages = ["en"]

[models.t-digits-ctc]
status = "published"
source = {{ path = "{ctc}", sha256 = "{ctc_sha}" }}
family = "ctc"
decoders = ["ctc"]
size = "tiny"
languages = ["en"]

[models.t-tampered]
status = "published"
source = {{ path = "{ctc}", sha256 = "{wrong_sha}" }}
family = "ctc"
decoders = ["ctc"]
size = "tiny"
languages = ["en"]

[models.t-hf]
status = "published"
source = {{ hf = "nvidia/parakeet-tdt-0.6b-v2" }}
# The tests file the digits hybrid under this name: the family must be the checkpoint's (the engine checks it).
family = "hybrid"
decoders = ["rnnt", "ctc"]
size = "medium"
languages = ["en"]

[models.t-ngc]
status = "published"
source = {{ ngc = "stt_en_fastconformer_hybrid_large_pc" }}
family = "hybrid"
decoders = ["rnnt", "ctc"]
size = "large"
languages = ["en"]

[models.t-ghost]
status = "unverified"
source = {{ hf = "nvidia/no-such-model" }}
family = "ctc"
decoders = ["ctc"]
size = "large"
languages = ["en"]
substitutes = ["t-ngc", "t-hf"]
"""


def write_manifest(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def read_rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def wer(references: list[str], hypotheses: list[str | None]) -> float:
    import jiwer

    return float(jiwer.wer(list(references), [h or "" for h in hypotheses]))
