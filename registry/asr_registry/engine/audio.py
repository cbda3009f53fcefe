"""Audio input: probe, decode, downmix, resample.

Anything libsndfile reads is accepted (wav, flac, ogg/vorbis, opus, mp3 with
libsndfile >= 1.1), at any sample rate and channel count. Problems with one
file never stop a run: they raise `AudioError`, whose message becomes the
row's `skipped` reason.
"""

from __future__ import annotations

import errno
import math
import os
import stat
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from asr_registry.errors import first_line


class AudioError(Exception):
    """A file that cannot be transcribed; str(exc) is the reason shown to the user."""


@dataclass(frozen=True)
class AudioInfo:
    path: Path
    sample_rate: int
    frames: int
    channels: int

    @property
    def duration(self) -> float:
        return self.frames / self.sample_rate if self.sample_rate else 0.0


def _stat(path: Path) -> os.stat_result:
    """`os.stat(path)`, or an AudioError saying why it failed in words that say what to fix.

    `Path.exists()` is False for a missing file, a dangling symlink and a symlink
    loop alike; the errno of `os.stat` tells them apart.
    """
    try:
        return os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise AudioError(f"symlink loop: {path}") from None
        if exc.errno == errno.ENOENT and path.is_symlink():
            raise AudioError(f"broken symlink: {path} -> {os.readlink(path)}") from None
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            raise AudioError(f"missing file: {path}") from None
        if exc.errno == errno.EACCES:
            raise AudioError(f"permission denied: {path}") from None
        raise AudioError(f"unreadable file: {path}: {exc.strerror or exc}") from None


def probe(path: Path) -> AudioInfo:
    """Header-only look at a file: fast, and catches missing/empty/corrupt files early."""
    import soundfile as sf

    status = _stat(path)
    if stat.S_ISDIR(status.st_mode):
        raise AudioError(f"not a file: {path}")
    if status.st_size == 0:
        raise AudioError("empty file (0 bytes)")
    try:
        info = sf.info(str(path))
    except Exception as exc:
        raise AudioError(f"unreadable audio: {first_line(exc)}") from None
    if info.frames <= 0 or info.samplerate <= 0:
        raise AudioError("empty audio (no samples)")
    return AudioInfo(path, int(info.samplerate), int(info.frames), int(info.channels))


@lru_cache(maxsize=64)
def _ratio(source: int, target: int) -> tuple[int, int]:
    common = math.gcd(source, target)
    return target // common, source // common


def resample(samples: np.ndarray, source_rate: int, target_rate: int) -> np.ndarray:
    """Polyphase resampling (scipy): exact for integer ratios like 8k->16k, 44.1k->16k."""
    if source_rate == target_rate:
        return samples
    from scipy.signal import resample_poly

    up, down = _ratio(source_rate, target_rate)
    return resample_poly(samples, up, down).astype(np.float32, copy=False)


def load(info: AudioInfo, target_rate: int, start: float = 0.0, duration: float | None = None) -> np.ndarray:
    """Decode `[start, start+duration)` seconds as float32 mono at `target_rate`.

    Reading a region (not the whole file) keeps memory flat when a long file is
    split into chunks. Channels are averaged (downmix), as NeMo's
    `channel_selector="average"` does.
    """
    import soundfile as sf

    first = max(0, round(start * info.sample_rate))
    last = info.frames if duration is None else min(info.frames, first + round(duration * info.sample_rate))
    try:
        with sf.SoundFile(str(info.path)) as handle:
            if first:
                handle.seek(first)
            data = handle.read(frames=max(0, last - first), dtype="float32", always_2d=True)
    except Exception as exc:
        raise AudioError(f"unreadable audio: {first_line(exc)}") from None
    if data.shape[0] == 0:
        raise AudioError("empty audio (no samples decoded)")
    mono = data[:, 0] if data.shape[1] == 1 else data.mean(axis=1, dtype=np.float32)
    if not np.isfinite(mono).all():
        raise AudioError("invalid audio: NaN or infinite samples")
    return np.ascontiguousarray(resample(mono, info.sample_rate, target_rate), dtype=np.float32)
