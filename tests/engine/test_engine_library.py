"""The Engine API in-process on the bundled models: agreement with NeMo, chunking, OOM splitting."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from asr_registry.engine import Engine, EngineOptions
from asr_registry.engine.values import Hyp
from tests.engine.helpers import Digits, model_entry, wer

pytestmark = pytest.mark.slow

SAMPLE = 40  # test files used for agreement checks: enough variety, quick on CPU


def _nemo_reference(path: Path, paths: list[str], decoder: str | None) -> list[str]:
    """What plain NeMo says, on its own fresh model instance."""
    from nemo.collections.asr.models import ASRModel

    model = ASRModel.restore_from(str(path), map_location="cpu")
    if decoder is not None:
        model.change_decoding_strategy(decoder_type=decoder, verbose=False)
    out = model.transcribe(paths, batch_size=8, verbose=False)
    return [(h if isinstance(h, str) else h.text).strip() for h in out]


@pytest.fixture(scope="module")
def sample(digits: Digits) -> tuple[list[str], list[str]]:
    rows = digits.rows[:SAMPLE]
    return [str(digits.audio(r)) for r in rows], [r["text"] for r in rows]


@pytest.mark.parametrize(("kind", "decoder"), [("hybrid", "rnnt"), ("hybrid", "ctc"), ("ctc", None)])
def test_engine_transcripts_agree_with_nemo_transcribe(
    digits: Digits, sample: tuple[list[str], list[str]], kind: str, decoder: str | None
) -> None:
    paths, references = sample
    engine = Engine(model_entry(digits, kind), EngineOptions(device="cpu", decoder=decoder, batch_size=8))
    results = engine.transcribe(paths)
    ours = [r.text or "" for r in results]
    theirs = _nemo_reference(digits.hybrid if kind == "hybrid" else digits.ctc, paths, decoder)
    same = sum(a == b for a, b in zip(ours, theirs, strict=True)) / len(paths)
    # Batches are composed differently (sorted vs input order), so padding differs;
    # float noise may flip a rare token, nothing more.
    assert same >= 0.95, list(zip(ours, theirs, strict=True))
    assert abs(wer(references, ours) - wer(references, theirs)) <= 0.02
    assert [r.index for r in results] == list(range(len(paths)))
    assert all(r.duration > 0 and r.skipped is None for r in results)


@pytest.fixture(scope="module")
def hybrid_engine(digits: Digits) -> Engine:
    engine = Engine(model_entry(digits, "hybrid"), EngineOptions(device="cpu", batch_size=8, word_confidence=True))
    engine.load()
    return engine


def test_rnnt_word_confidence_is_one_score_per_word(hybrid_engine: Engine, sample: tuple[list[str], list[str]]) -> None:
    results = hybrid_engine.transcribe(sample[0][:10])
    for r in results:
        assert r.words == tuple((r.text or "").split())
        assert r.word_confidence is not None and len(r.word_confidence) == len(r.words)
        assert all(0.0 <= c <= 1.0 for c in r.word_confidence)


@pytest.mark.parametrize("kind", ["hybrid", "ctc"])
def test_long_audio_is_chunked_with_overlap_and_stitched_at_word_timestamps(
    digits: Digits, tmp_path: Path, kind: str
) -> None:
    import soundfile as sf

    rows = digits.rows[40:56]
    pieces, rate = [], 16000
    for row in rows:
        samples, rate = sf.read(str(digits.audio(row)), dtype="float32")
        pieces += [samples, np.zeros(int(0.3 * rate), dtype=np.float32)]
    long_file = tmp_path / "long.flac"
    sf.write(str(long_file), np.concatenate(pieces), rate)
    seconds = sum(len(p) for p in pieces) / rate
    assert seconds > 25

    entry = model_entry(digits, kind)
    whole = Engine(entry, EngineOptions(device="cpu", batch_size=8)).transcribe([long_file])[
        0
    ]  # default limit 300 s: one piece
    options = EngineOptions(
        device="cpu", batch_size=8, word_confidence=True, max_audio_seconds=8.0, chunk_overlap_seconds=2.0
    )
    chunker = Engine(entry, options)
    chunked = chunker.transcribe([long_file])[0]
    assert whole.chunks == 1 and chunked.chunks >= 4
    reference = " ".join(r["text"] for r in rows)
    # The digits models were trained on clips of 0.5-3.3 s and already lose words on
    # a 30 s file in one piece; the seams must not make that much worse (a stitcher
    # that doubled or dropped each 2 s overlap would add ~25% errors). The exact
    # seam arithmetic is unit-tested in test_planning.py.
    assert wer([reference], [chunked.text]) <= wer([reference], [whole.text]) + 0.15, (whole.text, chunked.text)
    assert chunked.word_confidence is not None and len(chunked.word_confidence) == len(chunked.words or ())


class OomAbove(Engine):
    """Fails like CUDA does when a batch holds more than `limit` segments."""

    limit = 2
    calls: list[int]

    def _forward(self, audio: Sequence[np.ndarray]) -> list[Hyp]:
        import torch

        self.calls.append(len(audio))
        if len(audio) > self.limit:
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB (injected)")
        return super()._forward(audio)


def test_out_of_memory_splits_the_batch_in_two_and_retries(
    digits: Digits, hybrid_engine: Engine, sample: tuple[list[str], list[str]]
) -> None:
    paths = sample[0][:12]
    normal = [r.text for r in hybrid_engine.transcribe(paths)]
    engine = OomAbove(
        model_entry(digits, "hybrid"), EngineOptions(device="cpu", batch_size=8), model=hybrid_engine.model
    )
    engine.calls = []
    results = engine.transcribe(paths)
    assert [r.text for r in results] == normal
    assert engine.oom_splits > 0
    # The first call is the first planned batch (at most 8; the padding bound may close it earlier).
    assert 2 < engine.calls[0] <= 8 and max(c for c in engine.calls if c <= 2) == 2
    assert all(r.skipped is None for r in results)


def test_a_segment_too_big_even_alone_is_skipped_not_fatal(digits: Digits, hybrid_engine: Engine) -> None:
    paths = [str(digits.audio(r)) for r in digits.rows[:3]]
    engine = OomAbove(
        model_entry(digits, "hybrid"), EngineOptions(device="cpu", batch_size=4), model=hybrid_engine.model
    )
    engine.limit = 0
    engine.calls = []
    results = engine.transcribe(paths)
    assert all(r.text is None and r.skipped is not None and "out of memory" in r.skipped.reason for r in results)


def test_audio_is_downmixed_and_resampled_to_the_model_rate(tmp_path: Path) -> None:
    import soundfile as sf

    from asr_registry.engine import audio

    t = np.arange(44100) / 44100
    tone = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    sf.write(str(tmp_path / "s.wav"), np.stack([tone, -tone * 0 + tone], axis=1), 44100, subtype="FLOAT")
    info = audio.probe(tmp_path / "s.wav")
    assert (info.sample_rate, info.channels) == (44100, 2) and info.duration == pytest.approx(1.0)
    mono = audio.load(info, 16000)
    assert mono.dtype == np.float32 and mono.ndim == 1 and len(mono) == 16000
    spectrum = np.abs(np.fft.rfft(mono))
    assert np.argmax(spectrum) == pytest.approx(440, abs=1)  # 1 Hz bins for 1 s
    part = audio.load(info, 16000, start=0.25, duration=0.5)
    assert len(part) == 8000


def test_transcribe_takes_plain_paths_and_keeps_their_order(hybrid_engine: Engine, digits: Digits) -> None:
    rows = [digits.rows[i] for i in (5, 0, 9)]
    results: list[Any] = hybrid_engine.transcribe([digits.audio(r) for r in rows] + ["/no/such/file.wav"])
    assert [r.index for r in results] == [0, 1, 2, 3]
    assert results[3].skipped is not None and results[3].skipped.reason.startswith("missing file")
    assert wer([r["text"] for r in rows], [r.text for r in results[:3]]) <= 0.34
