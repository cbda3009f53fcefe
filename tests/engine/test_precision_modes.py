"""Precision modes: "bf16"/"fp16" cast the weights (all but the fp32 audio preprocessor), as the Open
ASR Leaderboard's NeMo runner does; "amp-*" autocast over fp32 weights; the CPU default follows the
CPU's native bf16 support; bytes per weight follow the mode. Real digits models, real audio."""

from __future__ import annotations

import json
from typing import Any

import pytest

from asr_registry.engine import Engine, EngineOptions
from asr_registry.engine.settings import PRECISION_MODES, choose_precision
from asr_registry.errors import RegistryError
from asr_registry.plugins.manager import get_catalog
from asr_registry.sizing.hardware import Hardware
from asr_registry.sizing.memory import bytes_per_weight
from tests.engine.helpers import DIGITS_DATA, wer
from tests.support import cli_env, run_cli

pytestmark = pytest.mark.slow


def _files(count: int = 16) -> tuple[list[str], list[str]]:
    manifest = DIGITS_DATA / "test" / "manifest.jsonl"
    rows = [json.loads(line) for line in manifest.read_text(encoding="utf-8").splitlines()[:count]]
    return [str(manifest.parent / r["audio_filepath"]) for r in rows], [r["text"] for r in rows]


def _dtypes(model: Any) -> dict[str, set[str]]:
    import torch

    found: dict[str, set[str]] = {}
    for name, tensor in [*model.named_parameters(), *model.named_buffers()]:
        if tensor.is_floating_point() and not name.endswith("dtype_sentinel_tensor"):
            found.setdefault(name.split(".")[0], set()).add(str(tensor.dtype).removeprefix("torch."))
    assert torch.float32  # torch imported for the dtype names
    return found


@pytest.mark.parametrize("name", ["digits_ctc", "digits_hybrid"])
def test_bf16_casts_every_weight_but_the_preprocessor_and_still_transcribes(name: str) -> None:
    files, texts = _files()
    cast = Engine(get_catalog().find(name), EngineOptions(device="cpu", precision="bf16", threads=1))
    results = cast.transcribe(files)
    dtypes = _dtypes(cast.model)
    assert dtypes["encoder"] == {"bfloat16"}
    assert dtypes["preprocessor"] == {"float32"}  # the mel featurizer's window and filterbank
    # NeMo casts the features to this buffer's dtype on the way out: the encoder gets bf16.
    assert str(cast.model.preprocessor.dtype_sentinel_tensor.dtype) == "torch.bfloat16"
    assert cast.settings.precision == "bf16"
    fp32 = Engine(get_catalog().find(name), EngineOptions(device="cpu", precision="fp32", threads=1))
    assert _dtypes(fp32.model)["encoder"] == {"float32"}
    reference = [r.text for r in fp32.transcribe(files)]
    # Within a few points of fp32 on the same files (the tiny models are sensitive to rounding).
    assert abs(wer(texts, [r.text for r in results]) - wer(texts, reference)) <= 0.05


def test_amp_keeps_fp32_weights() -> None:
    files, _ = _files(4)
    engine = Engine(get_catalog().find("digits_ctc"), EngineOptions(device="cpu", precision="amp-bf16", threads=1))
    assert all(r.text is not None for r in engine.transcribe(files))
    assert _dtypes(engine.model)["encoder"] == {"float32"}


def test_modes_on_gpu_and_cpu() -> None:
    entry = get_catalog().find("digits_ctc")
    bf16_entry = get_catalog().find("parakeet-tdt-0.6b-v3")
    a100, t4 = Hardware.gpu(80.0, "A100"), Hardware.gpu(16.0, "T4", bf16=False)
    assert set(PRECISION_MODES) == {"fp32", "bf16", "fp16", "amp-bf16", "amp-fp16"}
    assert choose_precision(bf16_entry, None, a100)[0] == bf16_entry.precision
    assert choose_precision(entry, "amp-bf16", t4)[0] == "amp-fp16"
    assert choose_precision(entry, "bf16", t4)[0] == "fp16"
    # CPU: bf16 by default only where the CPU computes it natively; fp16 never.
    plain_cpu, bf16_cpu = Hardware("cpu", "x"), Hardware("cpu", "x", bf16=True)
    assert choose_precision(bf16_entry, None, plain_cpu)[0] == "fp32"
    assert choose_precision(bf16_entry, None, bf16_cpu)[0] == "bf16"
    assert choose_precision(entry, "fp16", plain_cpu)[0] == "fp32"
    assert choose_precision(entry, "bf16", plain_cpu)[0] == "bf16"
    with pytest.raises(RegistryError, match="expected one of"):
        choose_precision(entry, "int8", plain_cpu)


def test_bytes_per_weight_follow_the_mode() -> None:
    assert [bytes_per_weight(m) for m in PRECISION_MODES] == [4, 2, 2, 6, 6]


def test_the_cli_refuses_amp_with_a_cast_precision() -> None:
    both = run_cli("transcribe", "--dry-run", "--model", "digits_ctc", "--precision", "bf16", "--amp", "bf16")
    assert both.returncode == 2 and "give one of them" in both.stderr
    amp = run_cli("transcribe", "--dry-run", "--model", "digits_ctc", "--amp", "bf16", "--json", env=cli_env())
    assert json.loads(amp.stdout)["precision"] == "amp-bf16"


def test_bench_runs_cpu_claims_in_their_recorded_precision() -> None:
    from asr_registry.bench.runner import claimed_cpu_precision

    digits = get_catalog().find("digits_ctc")
    assert {c.precision for c in digits.claims if c.precision} == {"fp32"}
    assert claimed_cpu_precision(digits, "cpu") == "fp32"  # whatever this CPU's default is
    assert claimed_cpu_precision(digits, "cuda") is None
