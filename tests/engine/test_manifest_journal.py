"""Manifest parsing and the crash-safe output journal (no model needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from asr_registry.engine.manifest import default_output_path, read_manifest
from asr_registry.engine.output import Journal, partial_path, read_journal
from asr_registry.errors import RegistryError

HEADER = {
    "manifest_sha256": "abc",
    "rows": 3,
    "model": "m",
    "decoder": "",
    "pred_key": "pred_text",
    "word_confidence": False,
}


def test_relative_audio_paths_resolve_against_the_manifest_folder(tmp_path: Path) -> None:
    sub = tmp_path / "data"
    sub.mkdir()
    manifest = sub / "m.jsonl"
    manifest.write_text(
        '{"audio_filepath": "a/x.wav", "text": "one"}\n\n{"audio_filepath": "/abs/y.wav", "duration": 1.5}\n',
        encoding="utf-8",
    )
    items = read_manifest(manifest)
    assert [i.index for i in items] == [0, 1]
    assert [i.line for i in items] == [1, 3]  # the blank line is skipped but counted for messages
    assert items[0].audio_path == sub.resolve() / "a" / "x.wav"
    assert items[1].audio_path == Path("/abs/y.wav")
    assert dict(items[0].fields) == {"audio_filepath": "a/x.wav", "text": "one"}


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"audio_filepath": "x.wav"', "not valid JSON"),
        ('["x.wav"]', "expected a JSON object"),
        ('{"text": "no audio"}', "missing 'audio_filepath'"),
        ('{"audio_filepath": ""}', "missing 'audio_filepath'"),
    ],
)
def test_a_malformed_line_is_an_error_naming_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    manifest = tmp_path / "bad.jsonl"
    manifest.write_text('{"audio_filepath": "ok.wav"}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(RegistryError, match=rf"bad\.jsonl:2: {message}"):
        read_manifest(manifest)


def test_missing_manifest_is_a_registry_error(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="manifest not found"):
        read_manifest(tmp_path / "nope.jsonl")


def test_default_output_sits_beside_the_manifest_and_names_the_model(tmp_path: Path) -> None:
    assert (
        default_output_path(tmp_path / "test.jsonl", "nvidia/parakeet") == tmp_path / "test.nvidia_parakeet.pred.jsonl"
    )
    assert default_output_path(tmp_path / "test.json", "m") == tmp_path / "test.m.pred.jsonl"


def test_journal_publishes_rows_in_input_order_and_removes_itself(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    with Journal(out, HEADER, resume=False) as journal:
        journal.append({2: {"k": "c"}})
        journal.append({0: {"k": "a"}, 1: {"k": "b"}})
        assert not out.exists() and partial_path(out).exists()
        journal.finish(3)
    assert [json.loads(line)["k"] for line in out.read_text().splitlines()] == ["a", "b", "c"]
    assert not partial_path(out).exists()


def test_existing_partial_without_resume_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    Journal(out, HEADER, resume=False).close()
    with pytest.raises(RegistryError, match="--resume"):
        Journal(out, HEADER, resume=False)


def test_resume_drops_a_torn_last_line_and_appends_after_it(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    journal = Journal(out, HEADER, resume=False)
    journal.append({1: {"k": "b"}})
    journal.close()
    with open(partial_path(out), "ab") as handle:
        handle.write(b'{"i": 0, "row": {"k": "a"')  # killed mid-write
    resumed = Journal(out, HEADER, resume=True)
    assert resumed.torn_bytes > 0 and set(resumed.rows) == {1}
    resumed.append({0: {"k": "a"}, 2: {"k": "c"}})
    state, _ = read_journal(partial_path(out))
    assert state is not None and set(state.rows) == {0, 1, 2} and state.torn_bytes == 0
    resumed.finish(3)
    assert [json.loads(line)["k"] for line in out.read_text().splitlines()] == ["a", "b", "c"]


def test_resume_of_a_journal_with_only_a_torn_header_starts_over(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    partial_path(out).write_bytes(b'{"asr_registry_partial": 1, "manif')
    journal = Journal(out, HEADER, resume=True)
    assert journal.rows == {}
    journal.close()
    state, _ = read_journal(partial_path(out))
    assert state is not None and state.header["model"] == "m"


def test_resume_refuses_a_journal_from_another_run(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    Journal(out, HEADER, resume=False).close()
    with pytest.raises(RegistryError, match=r"different run.*model"):
        Journal(out, {**HEADER, "model": "other"}, resume=True)


def test_corruption_before_the_last_line_is_skipped_and_the_rows_after_it_kept(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    journal = Journal(out, HEADER, resume=False)
    journal.append({0: {"k": "a"}})
    journal.close()
    text = partial_path(out).read_bytes()
    partial_path(out).write_bytes(text + b"garbage\n" + b'{"i": 1, "row": {}}\n')
    with Journal(out, HEADER, resume=True) as resumed:
        assert resumed.rows == {0: {"k": "a"}, 1: {}}
