"""`asr-registry transcribe` and `cache` end to end: real CLI subprocess, real models, real audio."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.engine.helpers import Digits, read_rows, wer, write_manifest
from tests.support import BIN, HANG_GUARD_SECONDS, Result

pytestmark = pytest.mark.slow

# Rows 0-5 of the digits test set are transcribed as they are; rows 0 and 1 come
# back as stereo 44.1 kHz and as 8 kHz copies, row 2 as Ogg Vorbis.
REAL = 6


@dataclass(frozen=True)
class Mixed:
    manifest: Path
    rows: list[dict[str, Any]]


def _resample(samples: np.ndarray, source: int, target: int) -> np.ndarray:
    from scipy.signal import resample_poly

    common = np.gcd(source, target)
    return resample_poly(samples, target // common, source // common).astype(np.float32)


@pytest.fixture(scope="session")
def mixed(tmp_path_factory: pytest.TempPathFactory, digits: Digits) -> Mixed:
    """Real files, derived copies in other formats, and every kind of broken entry."""
    import soundfile as sf

    folder = tmp_path_factory.mktemp("mixed")
    rows: list[dict[str, Any]] = []
    for k, row in enumerate(digits.rows[:REAL]):
        rows.append({"audio_filepath": str(digits.audio(row)), "text": row["text"], "id": f"real{k}"})
    a, rate = sf.read(str(digits.audio(digits.rows[0])), dtype="float32")
    stereo = _resample(a, rate, 44100)
    sf.write(str(folder / "stereo44k.wav"), np.stack([stereo, 0.8 * stereo], axis=1), 44100, subtype="PCM_16")
    b, _ = sf.read(str(digits.audio(digits.rows[1])), dtype="float32")
    sf.write(str(folder / "narrow8k.flac"), _resample(b, rate, 8000), 8000)
    c, _ = sf.read(str(digits.audio(digits.rows[2])), dtype="float32")
    sf.write(str(folder / "vorbis.ogg"), c, rate, format="OGG", subtype="VORBIS")
    (folder / "zero.wav").write_bytes(b"")
    sf.write(str(folder / "nosamples.wav"), np.zeros(0, dtype=np.float32), rate)
    (folder / "random.flac").write_bytes(np.random.default_rng(7).bytes(4096))
    whole = digits.audio(digits.rows[3]).read_bytes()
    (folder / "truncated.flac").write_bytes(whole[: len(whole) // 2])  # header fine, data cut off
    rows += [
        {"audio_filepath": "stereo44k.wav", "text": digits.rows[0]["text"], "id": "stereo"},  # relative path
        {"audio_filepath": "narrow8k.flac", "text": digits.rows[1]["text"], "id": "8k"},
        {"audio_filepath": "vorbis.ogg", "text": digits.rows[2]["text"], "id": "ogg"},
        {"audio_filepath": "missing.wav", "text": "x", "id": "missing"},
        {"audio_filepath": "zero.wav", "text": "x", "id": "zero"},
        {"audio_filepath": "nosamples.wav", "text": "x", "id": "nosamples"},
        {"audio_filepath": "random.flac", "text": "x", "id": "random"},
        {"audio_filepath": "truncated.flac", "text": "x", "id": "truncated"},
    ]
    return Mixed(write_manifest(folder / "mixed.jsonl", rows), rows)


@dataclass(frozen=True)
class Run:
    result: Result
    rows: list[dict[str, Any]]
    summary: dict[str, Any]


def _run(transcribe: Callable[..., Result], manifest: Path, out: Path, *extra: str) -> Run:
    result = transcribe("transcribe", str(manifest), "--out", str(out), "--json", "--no-progress", *extra)
    assert result.returncode == 0, result.stderr
    return Run(result, read_rows(out), json.loads(result.stdout))


@pytest.fixture(scope="session")
def rnnt_run(transcribe: Callable[..., Result], mixed: Mixed) -> Run:
    out = mixed.manifest.with_name("rnnt.jsonl")
    return _run(transcribe, mixed.manifest, out, "--model", "t-digits-hybrid", "--batch-size", "4")


def _by_id(run: Run) -> dict[str, dict[str, Any]]:
    return {row["id"]: row for row in run.rows}


def test_broken_entries_are_skipped_with_a_reason_and_the_run_goes_on(rnnt_run: Run, mixed: Mixed) -> None:
    rows = rnnt_run.rows
    assert [r["id"] for r in rows] == [r["id"] for r in mixed.rows]  # input order
    for original, row in zip(mixed.rows, rows, strict=True):
        assert {k: row[k] for k in original} == original  # input fields carried through
    by_id = _by_id(rnnt_run)
    expected = {
        "missing": "missing file",
        "zero": "empty file (0 bytes)",
        "nosamples": "empty audio (no samples)",
        "random": "unreadable audio",
        "truncated": "unreadable audio",
    }
    for key, reason in expected.items():
        assert by_id[key]["pred_text"] is None
        assert by_id[key]["skipped"].startswith(reason), by_id[key]
    transcribed = [r for r in rows if "skipped" not in r]
    assert len(transcribed) == REAL + 3
    assert all(isinstance(r["pred_text"], str) for r in transcribed)
    assert wer([r["text"] for r in transcribed], [r["pred_text"] for r in transcribed]) <= 0.25
    summary = rnnt_run.summary
    assert summary["files"] == len(rows) and summary["transcribed"] == REAL + 3
    assert sorted(s["reason"].split(":")[0] for s in summary["skipped"]) == sorted(
        ["missing file", "empty file (0 bytes)", "empty audio (no samples)", "unreadable audio", "unreadable audio"]
    )
    assert summary["decoder"] == "rnnt" and summary["device"] == "cpu" and summary["rtfx"] > 0
    assert summary["audio_hours"] == pytest.approx(summary["audio_seconds"] / 3600)


def test_stereo_44k_8k_and_ogg_copies_read_like_the_16k_originals(rnnt_run: Run) -> None:
    by_id = _by_id(rnnt_run)
    assert by_id["stereo"]["pred_text"] == by_id["real0"]["pred_text"]
    # 8 kHz audio has lost everything above 4 kHz, so the same words are not guaranteed; the
    # resampled copy must still be read as speech, not skipped and not garbage.
    assert by_id["8k"]["pred_text"] is not None
    assert wer([by_id["8k"]["text"]], [by_id["8k"]["pred_text"]]) <= 0.25
    assert by_id["ogg"]["pred_text"] == by_id["real2"]["pred_text"]


def test_ctc_decoder_of_the_hybrid_with_word_confidence(transcribe: Callable[..., Result], mixed: Mixed) -> None:
    out = mixed.manifest.with_name("ctc.jsonl")
    run = _run(
        transcribe,
        mixed.manifest,
        out,
        "--model",
        "t-digits-hybrid",
        "--decoder",
        "ctc",
        "--word-confidence",
        "--pred-key",
        "hyp",
    )
    assert run.summary["decoder"] == "ctc"
    done = [r for r in run.rows if "skipped" not in r]
    assert wer([r["text"] for r in done], [r["hyp"] for r in done]) <= 0.25
    # That the CTC head really ran is checked against NeMo's own CTC decoding in
    # test_engine_library.py; here the CLI must report it and give one confidence per word.
    for row in done:
        assert "pred_text" not in row
        assert row["pred_words"] == row["hyp"].split()
        assert len(row["pred_word_confidence"]) == len(row["pred_words"])
        assert all(0.0 <= c <= 1.0 for c in row["pred_word_confidence"])
    skipped = [r for r in run.rows if "skipped" in r]
    assert all(r["hyp"] is None and r["pred_words"] is None for r in skipped)


def _one_error_line(result: Result) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def test_checksum_mismatch_is_refused_naming_both_hashes(
    transcribe: Callable[..., Result], mixed: Mixed, digits: Digits, tmp_path: Path
) -> None:
    out = tmp_path / "never.jsonl"
    line = _one_error_line(transcribe("transcribe", str(mixed.manifest), "--model", "t-tampered", "--out", str(out)))
    assert "checksum mismatch" in line and "0" * 64 in line and digits.ctc_sha256 in line
    assert not out.exists() and not out.with_name(out.name + ".partial").exists()


@pytest.mark.parametrize("name", ["t-hf", "t-ngc"])
def test_offline_and_not_cached_says_to_run_the_cache_command(
    transcribe: Callable[..., Result], mixed: Mixed, tmp_path: Path, name: str
) -> None:
    out = tmp_path / "never.jsonl"
    line = _one_error_line(transcribe("transcribe", str(mixed.manifest), "--model", name, "--out", str(out)))
    assert "not cached" in line and f"asr-registry cache {name}" in line
    assert not out.with_name(out.name + ".partial").exists()


def test_unverified_models_cannot_be_used_or_cached_and_substitutes_are_named(
    transcribe: Callable[..., Result], mixed: Mixed
) -> None:
    for args in (("transcribe", str(mixed.manifest), "--model", "t-ghost"), ("cache", "t-ghost")):
        line = _one_error_line(transcribe(*args))
        assert "unverified" in line and "t-ngc" in line and "t-hf" in line


def test_an_existing_partial_needs_resume(transcribe: Callable[..., Result], mixed: Mixed, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.with_name("out.jsonl.partial").write_text("", encoding="utf-8")
    line = _one_error_line(transcribe("transcribe", str(mixed.manifest), "--model", "t-digits-ctc", "--out", str(out)))
    assert "--resume" in line


def test_cache_list_shows_cached_checkpoints_and_local_models_verify(
    transcribe: Callable[..., Result], engine_env: dict[str, str], digits: Digits, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    # The layouts NeMo (NGC) and huggingface_hub (HF) write.
    ngc = (
        cache
        / "nemo"
        / "stt_en_fastconformer_hybrid_large_pc"
        / "0123abcd"
        / "stt_en_fastconformer_hybrid_large_pc.nemo"
    )
    ngc.parent.mkdir(parents=True)
    ngc.write_bytes(b"x" * 1000)
    repo = cache / "huggingface" / "models--nvidia--parakeet-tdt-0.6b-v2"
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text("abc123", encoding="utf-8")
    hf = repo / "snapshots" / "abc123" / "parakeet-tdt-0.6b-v2.nemo"
    hf.parent.mkdir(parents=True)
    hf.write_bytes(b"y" * 2000)
    result = transcribe("cache", "--list", "--json", "--cache-dir", str(cache))
    assert result.returncode == 0, result.stderr
    listed = {m["name"]: m for m in json.loads(result.stdout)["models"]}
    assert set(listed) == {"t-hf", "t-ngc"}
    assert listed["t-ngc"]["size_bytes"] == 1000 and Path(listed["t-ngc"]["path"]) == ngc
    assert listed["t-hf"]["size_bytes"] == 2000 and listed["t-hf"]["source"] == "hf:nvidia/parakeet-tdt-0.6b-v2"
    table = transcribe("cache", "--list", env={**engine_env, "ASR_REGISTRY_CACHE": str(cache)})
    assert table.returncode == 0 and "t-ngc" in table.stdout and "0.0 MB" in table.stdout
    local = transcribe("cache", "t-digits-ctc")
    assert local.returncode == 0, local.stderr
    assert str(digits.ctc) in local.stdout


def _ngc_cache_file(cache: Path, name: str) -> Path:
    """Where NeMo's `from_pretrained` looks for an NGC checkpoint (common.py, NeMo 3)."""
    import hashlib
    from pathlib import PurePosixPath

    from nemo.collections.asr.models import ASRModel

    info = next(m for m in ASRModel.list_available_models() if m.pretrained_model_name == name)
    filename = PurePosixPath(info.location).name
    subfolder = hashlib.md5((info.location + info.description).encode("utf-8")).hexdigest()
    return cache / "nemo" / filename[: -len(".nemo")] / subfolder / filename


def test_cached_ngc_and_hf_checkpoints_load_offline_from_the_cache_dir(
    transcribe: Callable[..., Result], mixed: Mixed, rnnt_run: Run, digits: Digits, tmp_path: Path
) -> None:
    # Stand-ins for downloads: the digits hybrid filed where NeMo (NGC) and
    # huggingface_hub (HF) keep checkpoints under our --cache-dir.
    cache = tmp_path / "cache"
    ngc = _ngc_cache_file(cache, "stt_en_fastconformer_hybrid_large_pc")
    ngc.parent.mkdir(parents=True)
    ngc.symlink_to(digits.hybrid)
    repo = cache / "huggingface" / "models--nvidia--parakeet-tdt-0.6b-v2"
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text("0" * 40, encoding="utf-8")
    hf = repo / "snapshots" / ("0" * 40) / "parakeet-tdt-0.6b-v2.nemo"
    hf.parent.mkdir(parents=True)
    hf.symlink_to(digits.hybrid)
    manifest = write_manifest(tmp_path / "real.jsonl", mixed.rows[:REAL])
    expected = [row["pred_text"] for row in rnnt_run.rows[:REAL]]
    for name in ("t-ngc", "t-hf"):
        out = tmp_path / f"{name}.jsonl"
        result = transcribe(
            "transcribe",
            str(manifest),
            "--model",
            name,
            "--cache-dir",
            str(cache),
            "--out",
            str(out),
            "--no-progress",
        )
        assert result.returncode == 0, result.stderr
        assert [row["pred_text"] for row in read_rows(out)] == expected


def _rows_in(partial: Path) -> int:
    try:
        return max(0, partial.read_bytes().count(b"\n") - 1)  # minus the header line
    except FileNotFoundError:
        return 0


def test_sigkill_then_resume_gives_exactly_the_uninterrupted_output(
    transcribe: Callable[..., Result], engine_env: dict[str, str], digits: Digits, tmp_path: Path
) -> None:
    # 2 x the test set at batch size 1: long enough to be killed mid-way.
    rows = [{"audio_filepath": str(digits.audio(r)), "text": r["text"], "n": n} for n, r in enumerate(digits.rows * 2)]
    manifest = write_manifest(tmp_path / "long.jsonl", rows)
    args = ["transcribe", str(manifest), "--model", "t-digits-hybrid", "--batch-size", "1", "--no-progress"]
    full = tmp_path / "full.jsonl"
    assert transcribe(*args, "--out", str(full)).returncode == 0

    out = tmp_path / "resumed.jsonl"
    partial = out.with_name(out.name + ".partial")
    script = BIN / "asr-registry"
    command = [str(script)] if script.exists() else [sys.executable, "-c", "from asr_registry.cli import main; main()"]
    process = subprocess.Popen(
        [*command, *args, "--out", str(out)], env=engine_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    # Bounded by the run itself (it ends); the deadline only guards against a hang.
    deadline = time.monotonic() + HANG_GUARD_SECONDS
    while _rows_in(partial) < 20 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL
    killed_at = _rows_in(partial)
    assert 20 <= killed_at < len(rows), "the run was not interrupted mid-way"
    assert not out.exists()
    with open(partial, "ab") as handle:  # as if killed in the middle of writing a line
        handle.write(b'{"i": 5, "row": {"audio_filepath": "tor')

    resumed = transcribe(*args, "--out", str(out), "--resume", "--json")
    assert resumed.returncode == 0, resumed.stderr
    summary = json.loads(resumed.stdout)
    assert summary["resumed"] >= killed_at and summary["resumed"] + summary["transcribed"] == len(rows)
    assert out.read_bytes() == full.read_bytes()
    assert not partial.exists()


def test_a_pred_key_naming_an_input_field_is_refused_unless_overwrite_is_asked(
    transcribe: Callable[..., Result], mixed: Mixed
) -> None:
    out = mixed.manifest.with_name("over.jsonl")
    refused = transcribe(
        "transcribe", str(mixed.manifest), "--model", "t-digits-hybrid", "--pred-key", "text", "--out", str(out)
    )
    assert "--pred-key text names a field" in _one_error_line(refused) and not out.exists()
    run = _run(transcribe, mixed.manifest, out, "--model", "t-digits-hybrid", "--pred-key", "text", "--overwrite-field")
    inputs = [json.loads(line) for line in mixed.manifest.read_text(encoding="utf-8").splitlines()]
    done = [(i, r) for i, r in zip(inputs, run.rows, strict=True) if "skipped" not in r]
    assert done and all("pred_text" not in r for _, r in done)
    assert wer([i["text"] for i, _ in done], [r["text"] for _, r in done]) <= 0.25
