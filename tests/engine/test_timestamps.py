"""`transcribe --timestamps word|segment|char` on the bundled digits models: NeMo's field names,
times in seconds from the file start, long files stitched in file time, a clear refusal for a
model without timestamps, and the journal's `format` recording the option."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from asr_registry.engine import Engine, EngineOptions
from asr_registry.engine.batching import Segment
from asr_registry.engine.manifest import items_from_paths
from asr_registry.engine.stitch import stitch
from asr_registry.engine.timestamps import (
    Stamp,
    Stamps,
    TimestampsUnsupportedError,
    segments_from_words,
    shift,
)
from asr_registry.engine.values import Hyp
from asr_registry.plugins.manager import get_catalog
from tests.engine.timed_audio import build_files
from tests.support import cli_env, invoke_cli

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def timed(tmp_path_factory: pytest.TempPathFactory) -> list:
    return build_files(tmp_path_factory.mktemp("timed"), 3, seed=11)


def _engine(name: str, **options: object) -> Engine:
    return Engine.from_catalog(name, get_catalog(), EngineOptions(device="cpu", **options))  # type: ignore[arg-type]


@pytest.mark.parametrize(("model", "decoder"), [("digits_ctc", None), ("digits_tdt", None), ("digits_hybrid", "rnnt")])
def test_every_level_is_in_file_seconds_with_nemo_field_names(timed: list, model: str, decoder: str | None) -> None:
    engine = _engine(model, decoder=decoder, timestamps="word")
    results = engine.transcribe([f.path for f in timed])
    items = items_from_paths([f.path for f in timed])
    for item, result, audio in zip(items, results, timed, strict=True):
        assert result.stamps is not None and result.text
        words = result.stamps.words
        assert [w.text for w in words] == result.text.split()
        assert all(0 <= w.start <= w.end <= audio.words[-1].end + 0.5 for w in words)
        assert [w.start for w in words] == sorted(w.start for w in words)
        assert result.stamps.segments and result.stamps.segments[0].text == result.text
        assert result.stamps.chars
        row = engine.row(item, result, "pred_text")
        assert row["pred_words"] == [{"word": w.text, "start": w.start, "end": w.end} for w in words]


def test_segment_and_char_levels_write_their_columns(timed: list) -> None:
    items = items_from_paths([timed[0].path])
    for level, key, field in (("segment", "pred_segments", "segment"), ("char", "pred_chars", "char")):
        engine = _engine("digits_tdt", timestamps=level)
        row = engine.row(items[0], engine.transcribe([timed[0].path])[0], "pred_text")
        assert row[key] and set(row[key][0]) == {field, "start", "end"}, row
        assert "pred_words" not in row


def test_long_files_keep_absolute_times_across_chunks(timed: list) -> None:
    """A file cut into short chunks gives the same words at the same file times as in one piece."""
    whole = _engine("digits_ctc", timestamps="word").transcribe([timed[2].path])[0]
    chunked = _engine("digits_ctc", timestamps="word", max_audio_seconds=2.0, chunk_overlap_seconds=0.5).transcribe(
        [timed[2].path]
    )[0]
    assert chunked.chunks > 1 and chunked.stamps is not None and whole.stamps is not None
    assert [w.text for w in chunked.stamps.words] == [w.text for w in whole.stamps.words]
    for one, other in zip(chunked.stamps.words, whole.stamps.words, strict=True):
        assert abs(one.start - other.start) <= 0.1, (one, other)
    assert chunked.stamps.segments[0].start == chunked.stamps.words[0].start


# Two 6-s chunks of a 10-s file overlapping from 4 to 6 s, their keep regions split at 5 s.
FIRST = Segment(item=0, start=0.0, duration=6.0, chunk=0, n_chunks=2, keep_from=0.0, keep_to=5.0)
SECOND = Segment(item=0, start=4.0, duration=6.0, chunk=1, n_chunks=2, keep_from=5.0, keep_to=10.0)


def _timed_hyp(*words: tuple[str, float, float]) -> Hyp:
    """A chunk's hypothesis with word times relative to the chunk."""
    return Hyp(
        " ".join(w for w, _, _ in words),
        tuple(w for w, _, _ in words),
        None,
        tuple((a, b) for _, a, b in words),
        Stamps(tuple(Stamp(*w) for w in words)),
    )


def test_a_word_both_chunks_place_across_the_seam_is_kept_once() -> None:
    """Chunk one puts "two" just before the keep boundary (5.0), chunk two a frame later, just after it."""
    a = _timed_hyp(("one", 1.0, 1.2), ("two", 4.8, 5.16))
    b = _timed_hyp(("two", 0.88, 1.2), ("three", 3.0, 3.2))
    joined = stitch([(FIRST, a), (SECOND, b)])
    assert joined.words == ("one", "two", "three")
    assert joined.stamps is not None and [w.text for w in joined.stamps.words] == ["one", "two", "three"]
    # The same word later on, after the first one ended, is a word said twice: both are kept.
    assert stitch([(FIRST, a), (SECOND, _timed_hyp(("two", 1.3, 1.6)))]).words == ("one", "two", "two")


def test_shift_by_a_delay_moves_times_back_and_never_before_the_audio() -> None:
    stamps = Stamps(words=(Stamp("one", 0.05, 0.08), Stamp("two", 0.5, 0.8)), segments=(Stamp("one two", 0.05, 0.8),))
    moved = shift(stamps, -0.1)
    assert moved.words == (Stamp("one", 0.0, 0.0), Stamp("two", 0.4, 0.7))
    assert moved.segments == (Stamp("one two", 0.0, 0.7),)
    assert shift(stamps, 0.04).words[0] == Stamp("one", 0.09, 0.12)  # a decoder that emits early
    assert shift(stamps, 0.0) is stamps


def test_shift_and_stitch_move_chunk_times_to_file_time() -> None:
    stamps = Stamps(words=(Stamp("one", 0.5, 0.8),), chars=(Stamp("o", 0.5, 0.6),))
    assert shift(stamps, 10.0).words == (Stamp("one", 10.5, 10.8),)
    a = _timed_hyp(("one", 1.0, 1.2), ("two", 5.1, 5.3))
    b = _timed_hyp(("two", 1.1, 1.3), ("three", 3.0, 3.2))
    joined = stitch([(SECOND, b), (FIRST, a)])
    assert joined.words == ("one", "two", "three")
    assert joined.stamps is not None
    assert [(w.text, w.start) for w in joined.stamps.words] == [("one", 1.0), ("two", 5.1), ("three", 7.0)]
    assert joined.stamps.segments == segments_from_words(joined.stamps.words)


def test_a_model_without_timestamps_is_refused_in_one_line_naming_it() -> None:
    engine = _engine("digits_aed", timestamps="word")
    with pytest.raises(TimestampsUnsupportedError, match=r"model digits_aed: .*no timestamps"):
        engine.load()


def test_cli_timestamps_reach_rows_and_the_journal_format(tmp_path: Path, timed: list) -> None:
    manifest = tmp_path / "in.jsonl"
    manifest.write_text("".join(json.dumps({"audio_filepath": str(f.path)}) + "\n" for f in timed), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    env = cli_env(ASR_REGISTRY_LOAD_PLUGINS="digits")
    done = invoke_cli(
        "transcribe",
        str(manifest),
        "--model",
        "digits_ctc",
        "--timestamps",
        "segment",
        "--out",
        str(out),
        "--no-progress",
        env=env,
    )
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert all(r["pred_segments"][0]["segment"] == r["pred_text"] for r in rows)
    # The journal header records the level: a resume with another level would write other columns.
    from asr_registry.engine.manifest_run import journal_header

    header = journal_header(_engine("digits_ctc", timestamps="segment"), manifest, 3, "pred_text")
    assert header["format"] == {"timestamps": "segment"}
    refused = invoke_cli(
        "transcribe",
        "--model",
        "digits_aed",
        str(manifest),
        "--language",
        "en",
        "--timestamps",
        "word",
        "--out",
        str(tmp_path / "aed.jsonl"),
        "--no-progress",
        env=env,
    )
    assert refused.returncode == 2 and "model digits_aed" in refused.stderr and "Traceback" not in refused.stderr
