"""`asr-registry shadow`: build, save, register and use a shadow like a local model; calibration."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from asr_registry.shadow import calibration, specs
from tests.support import REPO, cli_env, invoke_cli, run_cli

DIGITS = REPO / "plugins" / "asr-registry-digits" / "asr_registry_digits" / "data" / "test"
SMALL = "stt_en_conformer_ctc_small"  # 13M parameters: the cheapest real architecture to build


@pytest.fixture(scope="module")
def saved_shadow(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, object], dict[str, str], Path]:
    root = tmp_path_factory.mktemp("shadow")
    env = cli_env(ASR_REGISTRY_SHADOWS=str(root / "index"))
    done = invoke_cli("shadow", SMALL, "--save", str(root / "small.nemo"), "--json", env=env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), env, root


@pytest.mark.slow
def test_shadow_is_saved_with_its_catalog_entry(saved_shadow) -> None:  # type: ignore[no-untyped-def]
    report, env, root = saved_shadow
    assert report["parameters"] == report["spec_parameters"] == specs.get_spec(SMALL).parameters
    assert report["class"] == "EncDecCTCModelBPE" and "conformer_ctc_bpe.yaml" in report["config"]
    assert Path(report["saved"]).is_file()
    entry_file = Path(report["catalog_entry"])
    assert entry_file.parent == root / "index" and 'status = "shadow"' in entry_file.read_text()
    shown = invoke_cli("show", f"{SMALL}-shadow", env=env)
    assert shown.returncode == 0 and "SHADOW" in shown.stdout and "random weights" in shown.stdout


@pytest.mark.slow
def test_saved_shadow_transcribes_through_the_engine_and_is_never_selected(saved_shadow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, env, _ = saved_shadow
    rows = [json.loads(line) for line in (DIGITS / "manifest.jsonl").read_text().splitlines()[:3]]
    manifest = tmp_path / "m.jsonl"
    manifest.write_text(
        "".join(json.dumps({**r, "audio_filepath": str(DIGITS / r["audio_filepath"])}) + "\n" for r in rows)
    )
    out = tmp_path / "out.jsonl"
    done = invoke_cli("transcribe", str(manifest), "--model", f"{SMALL}-shadow", "--out", str(out), env=env)
    assert done.returncode == 0, done.stderr
    predicted = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(predicted) == 3 and all(isinstance(r["pred_text"], str) for r in predicted)
    chosen = invoke_cli("select", "--language", "en", "--json", "--allow-unverified", env=env)
    assert chosen.returncode == 0 and f"{SMALL}-shadow" not in json.dumps(json.loads(chosen.stdout)["candidates"])


def test_model_without_spec_and_bad_save_path_are_one_line_errors(tmp_path: Path) -> None:
    done = run_cli("shadow", "stt_zh_citrinet_1024_gamma_0_25", env=cli_env(ASR_REGISTRY_SHADOWS=str(tmp_path)))
    assert done.returncode == 2 and done.stderr.startswith("error: no architecture spec for")
    assert "Traceback" not in done.stderr
    done = run_cli("shadow", SMALL, "--save", str(tmp_path / "x.txt"), env=cli_env(ASR_REGISTRY_SHADOWS=str(tmp_path)))
    assert done.returncode == 2 and "saved as a .nemo file" in done.stderr


@pytest.mark.slow
def test_blank_bias_brings_transducer_emission_to_a_realistic_rate() -> None:
    import torch

    from asr_registry.shadow.builder import build

    model = build(specs.get_spec("stt_en_fastconformer_hybrid_medium_streaming_80ms_pc"))
    audio = torch.randn(2, 48000, generator=torch.Generator().manual_seed(1)) * 0.1
    with torch.inference_mode():
        encoded, lengths = model.forward(input_signal=audio, input_signal_length=torch.full((2,), 48000))
    before = calibration.emission_rate(model, encoded, lengths)
    result = calibration.calibrate_blank(model)
    after = calibration.emission_rate(model, encoded, lengths)  # other audio than the calibration's
    assert before > 1.0  # random weights: several tokens on every frame
    assert calibration.ACCEPTED[0] <= result.tokens_per_frame <= calibration.ACCEPTED[1]
    assert result.blank_bias > 0 and after < before / 4


def test_validate_reports_a_broken_architecture_spec(tmp_path: Path) -> None:
    broken = tmp_path / "architectures.toml"
    broken.write_text(
        Path(specs.architectures_path())
        .read_text()
        .replace(
            '[architectures.stt_en_conformer_ctc_small]\nbase = "conformer-ctc-bpe"',
            '[architectures.stt_en_conformer_ctc_small]\nbase = "conformer-ctc-bp"',
        )
    )
    done = run_cli("validate", "--no-nemo", env=cli_env(ASR_REGISTRY_ARCHITECTURES=str(broken)))
    assert done.returncode == 1
    assert "architectures.stt_en_conformer_ctc_small.base: unknown base 'conformer-ctc-bp'" in done.stdout


@pytest.mark.slow
def test_shadow_bench_times_the_architecture_and_leaves_speed_claims_unverifiable() -> None:
    done = invoke_cli("shadow", "bench", SMALL, "--batch-size", "1", "--rounds", "1", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["shadow"]["model"] == SMALL and report["shadow"]["rtfx"] > 0
    assert report["shadow"]["what"] == "preprocessor + encoder + CTC greedy"
    assert report["claims"] and {c["verdict"] for c in report["claims"]} == {"UNVERIFIABLE"}
