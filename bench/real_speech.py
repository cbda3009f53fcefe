"""A mixed-length set of real (synthesised) English speech for the real-architecture benchmarks.

espeak-ng reads generated sentences of 1-45 s (lengths spread uniformly, fixed seed); each
clip is resampled to 16 kHz mono and written as WAV (what the engine calls cheap decoding)
and, on request, as FLAC at 44.1 kHz (compressed and resampled). Built once, cached under
~/.cache/asr-registry/bench-speech/ (or $ASR_BENCH_SPEECH_DIR); a manifest per kind.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

SEED = 20261206
MIN_SECONDS, MAX_SECONDS = 1.0, 45.0
WORDS_PER_SECOND = 4.2  # espeak-ng at its default speed on these short words, pauses included
VOCABULARY_TEXT = (
    "the a of to and in that is was he for it with as his on be at by had not are but from or have an "
    "they which one you were all we her she there would their will when who him been has more if no out "
    "do so can what up said about other into than its time only could new them man some these then two "
    "first may any like now my such make over our even most me state after also made many did must before "
    "back see through way where get much go well your know should down work year because come people just "
    "say each those take day good how long little world very still own great old life being under never "
    "here city water house small number morning evening river market garden station letter winter summer "
    "village teacher doctor"
)


@dataclass(frozen=True)
class SpeechSet:
    manifest: Path
    paths: tuple[str, ...]
    durations: tuple[float, ...]

    @property
    def total_seconds(self) -> float:
        return sum(self.durations)


def cache_dir() -> Path:
    return Path(os.environ.get("ASR_BENCH_SPEECH_DIR", Path.home() / ".cache" / "asr-registry" / "bench-speech"))


def _sentence(rng: random.Random, words: int) -> str:
    vocabulary = VOCABULARY_TEXT.split()
    chosen = [rng.choice(vocabulary) for _ in range(max(1, words))]
    # A full stop every 8-14 words: espeak-ng pauses there, as read speech does.
    out, since = [], 0
    for word in chosen:
        out.append(word)
        since += 1
        if since >= rng.randint(8, 14):
            out[-1] += "."
            since = 0
    return " ".join(out) + "."


def speech_set(count: int = 50, kind: str = "wav") -> SpeechSet:
    """`count` clips; kind "wav" (16 kHz PCM) or "flac44k" (FLAC at 44.1 kHz)."""
    folder = cache_dir() / f"{kind}-{count}-{SEED}"
    manifest = folder / "manifest.jsonl"
    if not manifest.exists():
        _build(folder, count, kind)
    rows = [json.loads(line) for line in manifest.read_text(encoding="utf-8").splitlines() if line.strip()]
    return SpeechSet(manifest, tuple(r["audio_filepath"] for r in rows), tuple(float(r["duration"]) for r in rows))


def _build(folder: Path, count: int, kind: str) -> None:
    import numpy as np
    import soundfile as sf
    from scipy.signal import resample_poly

    if shutil.which("espeak-ng") is None:
        raise RuntimeError("espeak-ng is needed to synthesise the benchmark's speech")
    rng = random.Random(SEED)
    folder.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f"{folder.name}.", dir=folder.parent))
    rows = []
    for n in range(count):
        target = rng.uniform(MIN_SECONDS, MAX_SECONDS)
        text = _sentence(rng, round(target * WORDS_PER_SECOND))
        raw = building / f"raw{n}.wav"
        subprocess.run(["espeak-ng", "-w", str(raw), text], check=True, capture_output=True)
        samples, rate = sf.read(str(raw), dtype="float32")
        raw.unlink()
        if kind == "wav":
            out_rate, suffix, fmt = 16000, "wav", "PCM_16"
        else:
            out_rate, suffix, fmt = 44100, "flac", "PCM_16"
        samples = resample_poly(samples, out_rate, rate).astype(np.float32)
        path = building / f"clip{n:03d}.{suffix}"
        sf.write(str(path), samples, out_rate, subtype=fmt)
        rows.append({"audio_filepath": str(folder / path.name), "duration": len(samples) / out_rate, "text": text})
    (building / "manifest.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    if folder.exists():
        shutil.rmtree(building)
        return
    building.rename(folder)
