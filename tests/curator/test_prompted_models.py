"""A prompted model through NeMo Curator: the digits plugin's multitask AED (Canary's family) with `language="en"`
gives, through `TranscribeStage` and through `RegistryASRAdapter`, the transcripts `asr-registry transcribe --model
digits_aed --language en` writes for the same audio. Files and in-memory waveforms go through the engine's one loop,
prompts included (the adapter once had its own copy of the loop that built none and failed on every AED batch).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import soundfile

from tests.engine.helpers import TEST_MANIFEST
from tests.support import invoke_cli

pytestmark = pytest.mark.slow
AED = "digits_aed"
ROWS = 24  # more than one engine batch (16 on CPU)


@pytest.fixture(scope="module")
def transcribed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    """(a manifest of the bundled test audio, what `transcribe --language en` wrote for it)."""
    folder = tmp_path_factory.mktemp("aed")
    lines = TEST_MANIFEST.read_text(encoding="utf-8").splitlines()[:ROWS]
    rows = [json.loads(line) for line in lines]
    for row in rows:
        row["audio_filepath"] = str(TEST_MANIFEST.parent / row["audio_filepath"])
    manifest = folder / "in.jsonl"
    manifest.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    out = folder / "out.jsonl"
    done = invoke_cli(
        "transcribe", str(manifest), "--model", AED, "--language", "en", "--out", str(out), "--no-progress"
    )
    assert done.returncode == 0, done.stderr
    written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert all(row["pred_text"] and "skipped" not in row for row in written)
    return manifest, written


def test_stage_with_a_language_gives_the_transcripts_of_transcribe(
    transcribed: tuple[Path, list[dict[str, Any]]],
) -> None:
    from nemo_curator.tasks import AudioTask

    from asr_registry.curator import TranscribeStage
    from asr_registry.engine.prompts import PromptOptions

    manifest, expected = transcribed
    source = [json.loads(line) for line in manifest.read_text(encoding="utf-8").splitlines()]
    stage = TranscribeStage(model=AED, manifest=str(manifest), prompt=PromptOptions(language="en"))
    stage.setup()
    try:
        out = stage.process_batch([AudioTask(data=dict(row)) for row in source])
    finally:
        stage.teardown()
    assert [task.data["pred_text"] for task in out] == [row["pred_text"] for row in expected]
    assert all("skipped" not in task.data for task in out)


def test_adapter_with_a_language_gives_the_transcripts_of_transcribe(
    transcribed: tuple[Path, list[dict[str, Any]]],
) -> None:
    from asr_registry.curator import RegistryASRAdapter

    manifest, expected = transcribed
    source = [json.loads(line) for line in manifest.read_text(encoding="utf-8").splitlines()]
    adapter = RegistryASRAdapter(model_id=AED, language="en")
    adapter.load_model(num_gpus=0)
    try:
        items = [
            {"waveform": soundfile.read(row["audio_filepath"], dtype="float32")[0], "sample_rate": 16000}
            for row in source
        ]
        results = adapter.transcribe_batch(items)
    finally:
        adapter.unload_model()
    assert [r.text for r in results] == [row["pred_text"] for row in expected]
    assert not any(r.skipped for r in results)


def test_adapter_takes_each_items_language_code(transcribed: tuple[Path, list[dict[str, Any]]]) -> None:
    """Curator's ASRStage gives each item a `language_code`: it is the item's spoken language."""
    from asr_registry.curator import RegistryASRAdapter

    manifest, expected = transcribed
    row = json.loads(manifest.read_text(encoding="utf-8").splitlines()[0])
    adapter = RegistryASRAdapter(model_id=AED)  # no run-wide language: a two-language model needs one per item
    adapter.load_model(num_gpus=0)
    try:
        samples = soundfile.read(row["audio_filepath"], dtype="float32")[0]
        english, unknown, missing = adapter.transcribe_batch(
            [
                {"waveform": samples, "sample_rate": 16000, "language_code": "en"},
                {"waveform": samples, "sample_rate": 16000, "language_code": "fr"},
                {"waveform": samples, "sample_rate": 16000},
            ]
        )
    finally:
        adapter.unload_model()
    assert english.text == expected[0]["pred_text"] and not english.skipped
    assert unknown.skipped and unknown.skip_reason == "bad prompt: source_lang 'fr': model digits_aed knows en, es"
    assert missing.skipped and missing.skip_reason.startswith("bad prompt: model digits_aed needs the spoken language")
