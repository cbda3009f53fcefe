"""Audio with known word positions: words synthesised one by one (espeak-ng, trimmed by sox),
joined by silences of known length, so each word's true start and end time is known."""

from __future__ import annotations

import random
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

RATE = 16000
DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
VOICES = ("en-us", "en", "en-us+m3", "en+f2")


@dataclass(frozen=True)
class TimedWord:
    word: str
    start: float
    end: float


@dataclass(frozen=True)
class TimedFile:
    path: Path
    words: tuple[TimedWord, ...]

    @property
    def text(self) -> str:
        return " ".join(w.word for w in self.words)


def spoken_word(word: str, voice: str, folder: Path) -> np.ndarray:
    """One word from espeak-ng, resampled to 16 kHz mono and trimmed of leading/trailing silence by sox."""
    target = folder / f"{voice.replace('+', '_')}-{word}.wav"
    if not target.exists():
        wav = subprocess.run(
            ["espeak-ng", "-v", voice, "-s", "150", "--stdout", word], capture_output=True, check=True
        ).stdout
        subprocess.run(
            [
                "sox",
                "-R",
                "-t",
                "wav",
                "-",
                "-r",
                str(RATE),
                "-c",
                "1",
                "-b",
                "16",
                str(target),
                "silence",
                "1",
                "0.01",
                "0.5%",
                "reverse",
                "silence",
                "1",
                "0.01",
                "0.5%",
                "reverse",
                "norm",
                "-3",
            ],
            input=wav,
            capture_output=True,
            check=True,
        )
    samples, _ = sf.read(target, dtype="float32")
    return np.asarray(samples, dtype=np.float32)


def build_files(folder: Path, count: int, seed: int = 7) -> list[TimedFile]:
    """`count` files of 3 to 6 digit words each, silences of 0.25 to 1.2 s between them."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    files: list[TimedFile] = []
    for index in range(count):
        voice = VOICES[index % len(VOICES)]
        parts: list[np.ndarray] = []
        words: list[TimedWord] = []
        cursor = 0
        for position, word in enumerate(rng.choices(DIGITS, k=rng.randint(3, 6))):
            gap = rng.uniform(0.3, 0.8) if position == 0 else rng.uniform(0.25, 1.2)
            parts.append(np.zeros(round(gap * RATE), dtype=np.float32))
            cursor += round(gap * RATE)
            speech = spoken_word(word, voice, folder)
            words.append(TimedWord(word, cursor / RATE, (cursor + len(speech)) / RATE))
            parts.append(speech)
            cursor += len(speech)
        parts.append(np.zeros(round(0.4 * RATE), dtype=np.float32))
        path = folder / f"timed_{index:03d}.wav"
        sf.write(path, np.concatenate(parts), RATE)
        files.append(TimedFile(path, tuple(words)))
    return files


def signed_start_errors(files: Iterable[TimedFile], results: Iterable[Any]) -> list[float]:
    """Predicted minus true start of each word (seconds), over the files transcribed exactly.

    `results` are the engine's, one per file, with word stamps. A file with a recognition error is
    left out: pairing its words with the truth by label (the same digit often occurs twice) can
    pair a word with another occurrence and report a recognition error as a timing error.
    """
    errors: list[float] = []
    for audio, result in zip(files, results, strict=True):
        predicted = result.stamps.words if result.stamps is not None else ()
        if [w.text for w in predicted] == [w.word for w in audio.words]:
            errors.extend(p.start - w.start for p, w in zip(predicted, audio.words, strict=True))
    return errors
