"""`transcribe --format srt|vtt|txt`: one file per audio in the output folder, parsed back with
pysubs2 (the library that writes them); every transcribed word lands in exactly one cue, in order."""

from __future__ import annotations

import json
from pathlib import Path

import pysubs2
import pytest

from asr_registry.engine.subtitles import MAX_CUE_SECONDS, MAX_LINE_CHARS, MAX_LINES, Word, cues_from_words
from tests.engine.helpers import DIGITS_DATA
from tests.support import cli_env, invoke_cli


def _manifest(folder: Path, count: int) -> Path:
    source = DIGITS_DATA / "test" / "manifest.jsonl"
    rows = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines()[:count]]
    for row in rows:
        row["audio_filepath"] = str(source.parent / row["audio_filepath"])
    path = folder / "twenty.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _cue_words(path: Path) -> list[str]:
    subs = pysubs2.load(str(path), encoding="utf-8")
    return [word for event in subs for word in event.plaintext.split()]


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["srt", "vtt"])
def test_subtitles_of_a_20_file_manifest_parse_and_cover_every_word_once(tmp_path: Path, fmt: str) -> None:
    manifest = _manifest(tmp_path, 20)
    folder = tmp_path / f"subs-{fmt}"
    done = invoke_cli(
        "transcribe",
        str(manifest),
        "--model",
        "digits_ctc",
        "--format",
        fmt,
        "--out",
        str(folder),
        "--no-progress",
        env=cli_env(ASR_REGISTRY_LOAD_PLUGINS="digits"),
    )
    assert done.returncode == 0, done.stderr
    assert f"20 {fmt} files in {folder}" in done.stdout
    rows = [json.loads(line) for line in (folder / "transcript.pred.jsonl").read_text().splitlines()]
    assert len(rows) == 20
    for row in rows:
        path = folder / f"{Path(row['audio_filepath']).stem}.{fmt}"
        assert _cue_words(path) == row["pred_text"].split() == [w["word"] for w in row["pred_words"]]
        subs = pysubs2.load(str(path), encoding="utf-8")
        assert subs[0].start == round(row["pred_words"][0]["start"] * 1000)
        assert subs[-1].end == round(row["pred_words"][-1]["end"] * 1000)


@pytest.mark.slow
def test_txt_writes_the_transcript_per_file(tmp_path: Path) -> None:
    manifest = _manifest(tmp_path, 3)
    folder = tmp_path / "txt"
    done = invoke_cli(
        "transcribe",
        str(manifest),
        "--model",
        "digits_ctc",
        "--format",
        "txt",
        "--out",
        str(folder),
        "--no-progress",
        env=cli_env(ASR_REGISTRY_LOAD_PLUGINS="digits"),
    )
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in (folder / "transcript.pred.jsonl").read_text().splitlines()]
    for row in rows:
        assert (folder / f"{Path(row['audio_filepath']).stem}.txt").read_text() == row["pred_text"] + "\n"
    assert "pred_words" not in rows[0]  # txt needs no timestamps


def test_cues_end_at_sentences_and_stay_within_two_lines_and_seven_seconds() -> None:
    words = [Word(f"word{k:02d}" + ("." if k == 3 else ""), k * 0.5, k * 0.5 + 0.4) for k in range(40)]
    cues = cues_from_words(words)
    assert cues[0].text.endswith("word03.")  # a sentence end closes the cue
    assert [w for c in cues for w in c.text.split()] == [w.text for w in words]
    for cue in cues:
        assert len(cue.lines) <= MAX_LINES and all(len(line) <= MAX_LINE_CHARS for line in cue.lines)
        assert cue.end - cue.start <= MAX_CUE_SECONDS
    slow = [Word(f"w{k}", k * 2.0, k * 2.0 + 0.3) for k in range(6)]
    assert all(c.end - c.start <= MAX_CUE_SECONDS for c in cues_from_words(slow))
    assert len(cues_from_words(slow)) == 2


def test_srt_with_another_timestamp_level_is_refused(tmp_path: Path) -> None:
    manifest = _manifest(tmp_path, 1)
    done = invoke_cli(
        "transcribe",
        str(manifest),
        "--model",
        "digits_ctc",
        "--format",
        "srt",
        "--timestamps",
        "char",
        "--out",
        str(tmp_path / "x"),
        "--no-progress",
        env=cli_env(ASR_REGISTRY_LOAD_PLUGINS="digits"),
    )
    assert done.returncode == 2 and "--timestamps word" in done.stderr
