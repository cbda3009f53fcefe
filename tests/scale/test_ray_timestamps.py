"""`transcribe --timestamps word --executor ray`: the workers write the same rows, times included,
as the local executor."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.engine.helpers import DIGITS_DATA
from tests.support import HANG_GUARD_SECONDS, invoke_cli, run_cli

pytestmark = pytest.mark.slow


def test_ray_rows_carry_the_same_word_times_as_local(local_ray_tmp: dict[str, str], tmp_path: Path) -> None:
    source = DIGITS_DATA / "test" / "manifest.jsonl"
    rows = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines()[:6]]
    manifest = tmp_path / "six.jsonl"
    manifest.write_text(
        "".join(json.dumps({**r, "audio_filepath": str(source.parent / r["audio_filepath"])}) + "\n" for r in rows),
        encoding="utf-8",
    )
    env = {**local_ray_tmp, "ASR_REGISTRY_LOAD_PLUGINS": "digits"}
    outputs = {}
    for executor in ("local", "ray"):
        out = tmp_path / f"{executor}.jsonl"
        args = ["transcribe", str(manifest), "--model", "digits_ctc", "--timestamps", "word", "--out", str(out)]
        if executor == "local":  # in this process: only the Ray run needs a driver of its own
            done = invoke_cli(*args, "--no-progress", env=env)
        else:
            done = run_cli(
                *args, "--no-progress", "--executor", "ray", "--workers", "1", env=env, timeout=HANG_GUARD_SECONDS
            )
        assert done.returncode == 0, done.stderr
        outputs[executor] = out.read_bytes()
    assert outputs["ray"] == outputs["local"]
    assert all(json.loads(line)["pred_words"][0]["start"] >= 0 for line in outputs["ray"].splitlines())
