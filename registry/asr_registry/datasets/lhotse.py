"""Lhotse cut manifests (``cuts.jsonl.gz``, what NeMo trains from) as bench and transcribe input.

A cut that is a whole single-file recording is passed to the engine as that file, so it is
decoded and resampled on the engine's own path exactly as from a NeMo manifest. Any other cut
(an offset into a long recording, several sources, a URL, in-memory audio, transforms) is
decoded by Lhotse and written as a float WAV at the cut's own rate, which the engine resamples.
The reference is the cut's supervisions' texts joined in time order.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from asr_registry.datasets.hf import DroppedRow, Materialised
from asr_registry.errors import RegistryError


def _whole_file(cut: Any) -> Path | None:
    """The file a cut is, when it is a whole single-file recording with nothing applied to it."""
    recording = getattr(cut, "recording", None)
    if recording is None or len(recording.sources) != 1 or getattr(recording, "transforms", None):
        return None
    source = recording.sources[0]
    whole = abs(cut.start) < 1e-6 and abs(cut.duration - recording.duration) < 1e-3
    if source.type != "file" or not whole or source.channels != recording.channel_ids:
        return None
    path = Path(source.source)
    return path if path.is_file() else None


def _write(cut: Any, target: Path) -> None:
    import soundfile as sf

    audio = cut.load_audio()  # (channels, samples) float32
    sf.write(str(target), audio.T, int(cut.sampling_rate), format="WAV", subtype="FLOAT")


def materialise_cuts(
    path: Path, folder: Path, need_text: bool = True, limit: int | None = None, seed: int = 0
) -> Materialised:
    """Write ``folder/manifest.jsonl`` (``audio_filepath``, ``duration``, ``text``, ``id``) from a cut manifest."""
    try:
        from lhotse import CutSet
    except ImportError:
        raise RegistryError("--lhotse needs lhotse: pip install lhotse (NeMo's ASR extra brings it)") from None
    if not path.is_file():
        raise RegistryError(f"--lhotse {path}: no such file")
    try:
        cuts = list(CutSet.from_file(path))
    except Exception as exc:
        raise RegistryError(f"--lhotse {path}: not a Lhotse cut manifest ({str(exc).splitlines()[0][:200]})") from None
    chosen: Sequence[int] = range(len(cuts))
    if limit is not None and limit < len(cuts):
        chosen = sorted(random.Random(seed).sample(range(len(cuts)), limit))
    (folder / "audio").mkdir(parents=True, exist_ok=True)
    lines, dropped = [], []
    for position in chosen:
        cut = cuts[position]
        texts = [s.text for s in sorted(cut.supervisions, key=lambda s: s.start) if s.text]
        if need_text and not texts:
            dropped.append(DroppedRow(position, cut.id, "no supervision with text"))
            continue
        source = _whole_file(cut)
        if source is not None:
            audio = str(source.resolve())
        else:
            audio = f"audio/{position:07d}.wav"
            try:
                _write(cut, folder / audio)
            except Exception as exc:  # any decoding problem of one cut: skip it, keep going
                dropped.append(DroppedRow(position, cut.id, f"unreadable audio: {str(exc).splitlines()[0][:200]}"))
                continue
        row = {"audio_filepath": audio, "duration": round(cut.duration, 4), "id": cut.id}
        if texts or need_text:
            row["text"] = " ".join(texts)
        lines.append(json.dumps(row, ensure_ascii=False))
    if not lines:
        raise RegistryError(f"--lhotse {path}: no cut to use")
    manifest = folder / "manifest.jsonl"
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Materialised(manifest, len(lines), tuple(dropped))
