"""`select` and the engine give one answer: the same batch size and GPU memory for every catalog model,
GPU size and utterance length (the sizing policy, asr_registry.sizing.policy)."""

from __future__ import annotations

import json

import pytest

from asr_registry.catalog.schema import Catalog
from asr_registry.engine.settings import Hardware, plan_run, resolve_settings
from asr_registry.errors import SelectionError
from asr_registry.plugins.manager import get_catalog
from asr_registry.selection.ranking import Request, select
from asr_registry.sizing.policy import Sizing
from tests.support import cli_env, run_cli

GPU_SIZES = (8.0, 16.0, 24.0, 40.0, 48.0, 80.0, 141.0)
SECONDS = (20.0, 60.0)


def _selected(catalog: Catalog, gpu_memory_gb: float, seconds: float) -> dict[str, Sizing]:
    """What `select` reports for each model it offers, over every language and domain it can be asked for."""
    seen: dict[str, Sizing] = {}
    asks = {(language, "general") for language in catalog.languages()}
    # A model made only for some domains is offered only for those.
    asks |= {(lang, domain) for m in catalog.models.values() for domain in m.domains for lang in m.languages}
    for language, domain in sorted(asks):
        if True:
            request = Request(
                (language,), domain, gpu_memory_gb=gpu_memory_gb, max_seconds=seconds, allow_unverified=True
            )
            try:
                candidates = select(catalog, request).candidates
            except SelectionError:
                continue  # nothing fits this GPU for this language and domain
            for candidate in candidates:
                earlier = seen.setdefault(candidate.model.name, candidate.sizing)
                assert earlier == candidate.sizing, candidate.model.name  # one answer whatever the request
    return seen


def test_select_and_the_engine_agree_on_every_model_gpu_size_and_length() -> None:
    catalog = get_catalog()
    disagreements: list[str] = []
    compared = 0
    for gpu in GPU_SIZES:
        for seconds in SECONDS:
            selected = _selected(catalog, gpu, seconds)
            for name, entry in sorted(catalog.models.items()):
                settings = resolve_settings(
                    entry, device="cuda", hardware=Hardware.gpu(gpu), max_seconds=seconds, threads=1
                )
                plan = plan_run(entry, gpu_memory_gb=gpu, max_seconds=seconds)
                assert plan.batch.value == settings.batch_size
                engine_gb = None if plan.memory is None or plan.memory.value is None else round(plan.memory.value, 2)
                compared += 1
                if name not in selected:  # not offered: only because it is known not to fit
                    if plan.fit != "too-big":
                        disagreements.append(f"{name} {gpu:g} GB {seconds:g} s: not offered, engine: {plan.fit}")
                    continue
                sizing = selected[name]
                if (sizing.batch_size, sizing.gpu_memory_gb, sizing.fit) != (settings.batch_size, engine_gb, plan.fit):
                    disagreements.append(
                        f"{name} {gpu:g} GB {seconds:g} s: select {sizing.batch_size} / {sizing.gpu_memory_gb} GB, "
                        f"engine {settings.batch_size} / {engine_gb} GB"
                    )
    assert compared == len(catalog.models) * len(GPU_SIZES) * len(SECONDS)
    assert disagreements == []


def test_hybrid_large_on_16_gb_same_batch_and_gb_from_select_and_the_engine() -> None:
    name = "stt_en_fastconformer_hybrid_large_pc"
    result = run_cli(
        "select", "-l", "en", "--gpu-memory", "16", "--top", "500", "--json", env=cli_env(ASR_REGISTRY_LOAD_PLUGINS="")
    )
    assert result.returncode == 0, result.stderr
    shown = next(c for c in json.loads(result.stdout)["candidates"] if c["model"] == name)
    entry = get_catalog().find(name)
    plan = plan_run(entry, gpu_memory_gb=16.0)
    settings = resolve_settings(entry, device="cuda", hardware=Hardware.gpu(16.0), threads=1)
    assert plan.memory is not None and plan.memory.value is not None
    assert shown["batch_size"] == plan.batch.value == settings.batch_size
    assert shown["gpu_memory_gb"] == pytest.approx(round(plan.memory.value, 2))
    # The leaderboard's batch, not the 303 utterances that would fit, and not the how-to's tier guide (32).
    assert shown["batch_size"] == 128 and "314 utterances of 20 s would fit 16 GB" in shown["batch_size_basis"]
    assert shown["gpu_memory_gb"] < 16 and shown["gpu_memory_fit"] == "fits"


def test_the_curator_stage_runs_the_batch_select_names() -> None:
    pytest.importorskip("nemo_curator")
    from asr_registry.curator import TranscribeStage

    catalog = get_catalog()
    for name, gpu in (("stt_en_fastconformer_hybrid_large_pc", 16.0), ("parakeet-tdt-0.6b-v2", 8.0)):
        stage = TranscribeStage(model=name, gpu_memory_gb=gpu)
        chosen = select(catalog, Request(("en",), gpu_memory_gb=gpu)).candidates
        assert stage.engine_batch_size == next(c.batch_size for c in chosen if c.model.name == name)
