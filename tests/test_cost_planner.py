"""The time-and-cost planner (selection/cost.py): GPU-hours, wall time and cost per candidate from a
claim on the GPU class, else claims scaled between classes by the documented GPU table; checked
against the Open ASR Leaderboard's own price for parakeet-tdt-0.6b-v3."""

from __future__ import annotations

import json

import pytest

from asr_registry.errors import RegistryError
from asr_registry.plugins.manager import get_catalog
from asr_registry.selection.cost import plan_cost, speed_ratio
from asr_registry.selection.gpus import find_gpu, gpu_classes, match_gpu
from tests.support import cli_env, run_cli


def test_gpu_names_find_their_class_and_every_class_cites_its_datasheet() -> None:
    assert match_gpu("A100-SXM4-80GB").name == "A100-80GB"  # type: ignore[union-attr]
    assert match_gpu("NVIDIA A100-SXM4-40GB").name == "A100-40GB"  # type: ignore[union-attr]
    assert match_gpu("NVIDIA L40S").name == "L40S"  # type: ignore[union-attr]
    assert match_gpu("NVIDIA H100 80GB HBM3").name == "H100"  # type: ignore[union-attr]
    assert match_gpu("cpu") is None
    assert all(g.source.startswith("https://") and g.bf16_tflops > 0 for g in gpu_classes())
    with pytest.raises(RegistryError, match="unknown GPU class"):
        find_gpu("Voodoo2")


def test_a_claim_on_the_class_is_used_as_is_else_scaled() -> None:
    model = get_catalog().find("parakeet-tdt-0.6b-v3")
    a100, h200 = find_gpu("A100"), find_gpu("H200")
    on_a100 = plan_cost(model, 100.0, a100)
    assert on_a100 is not None and on_a100.rtfx == pytest.approx(3332.74) and "RTFx claim on A100" in on_a100.basis
    on_h200 = plan_cost(model, 100.0, h200, gpus=4, price_per_hour=5.0)
    assert on_h200 is not None
    assert on_h200.rtfx == pytest.approx(3332.74 * speed_ratio(h200, a100))
    assert on_h200.gpu_hours == pytest.approx(100.0 / on_h200.rtfx)
    assert on_h200.wall_hours == pytest.approx(on_h200.gpu_hours / 4)
    assert on_h200.cost == pytest.approx(on_h200.gpu_hours * 5.0)
    assert "x 2.73 for H200" in on_h200.basis


def test_leaderboard_price_check() -> None:
    """The leaderboard: $2.92, about 35 H200-minutes (so $5.01 per GPU-hour), for parakeet-tdt-0.6b-v3
    over its English sets. The planner counts model time only: 167.8 h of short-form English test
    audio (ESB sizes) at the scaled RTFx is a few minutes, far under the leaderboard's wall time,
    which also holds the long-form sets (batch 1) and per-set loading and warm-up (README)."""
    model = get_catalog().find("parakeet-tdt-0.6b-v3")
    price = 2.92 / (35 / 60)
    plan = plan_cost(model, 167.8, find_gpu("H200"), price_per_hour=price)
    assert plan is not None and plan.cost is not None
    assert 0.5 < plan.gpu_hours * 60 < 5  # minutes of model time
    assert plan.cost < 2.92


def test_select_json_carries_time_and_cost_with_its_basis() -> None:
    args = ["-l", "en", "--hours", "1000", "--gpu", "H200", "--gpus", "2", "--price-per-hour", "5", "--json"]
    done = run_cli("select", *args, env=cli_env(ASR_REGISTRY_LOAD_PLUGINS=""))
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    for candidate in report["candidates"]:
        planned = candidate["time_and_cost"]
        assert planned["estimate"] is True and planned["basis"] and planned["gpus"] == 2
        assert planned["wall_hours"] == pytest.approx(planned["gpu_hours"] / 2, rel=1e-3)
        assert planned["cost"] == pytest.approx(planned["gpu_hours"] * 5, rel=1e-3)
    assert report["request"]["gpu_memory_gb"] == 141.0  # the class's memory when --gpu-memory is not given
