"""`--cuda-graphs auto|on|off`: the switch reaches NeMo's decoding configs, a CUDA-graph failure at the
family forward boundary is retried once without graphs (auto only), and the support check says why
not here. Real digits models on CPU; the failure is injected where a GPU would raise it."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence

import numpy as np
import pytest

from asr_registry.engine import Engine, EngineOptions
from asr_registry.engine.cuda_graphs import cuda_graph_support, decide, is_cuda_graph_failure
from asr_registry.engine.values import Hyp
from asr_registry.plugins.manager import get_catalog
from tests.engine.helpers import DIGITS_DATA

pytestmark = pytest.mark.slow


def _files(count: int = 3) -> list[str]:
    manifest = DIGITS_DATA / "test" / "manifest.jsonl"
    rows = [json.loads(line) for line in manifest.read_text(encoding="utf-8").splitlines()[:count]]
    return [str(manifest.parent / r["audio_filepath"]) for r in rows]


def test_support_and_decisions_on_this_cpu_machine() -> None:
    assert cuda_graph_support("cpu") == (False, "no CUDA (running on CPU)")
    assert decide("auto", "cpu")[0] is None  # NeMo's config untouched: it never captures graphs on CPU
    assert decide("off", "cpu")[0] is False and decide("on", "cpu")[0] is True
    assert is_cuda_graph_failure(
        RuntimeError("CUDA error: operation not permitted when stream is capturing graph capture")
    )
    assert not is_cuda_graph_failure(RuntimeError("CUDA out of memory"))


KEYS = [("digits_tdt", "use_cuda_graph_decoder"), ("digits_ctc", "allow_cuda_graphs")]


@pytest.mark.parametrize(("name", "key"), KEYS)
def test_the_switch_reaches_the_decoding_config(name: str, key: str) -> None:
    engine = Engine(get_catalog().find(name), EngineOptions(device="cpu", cuda_graphs="off", threads=1))
    engine.load()
    assert engine.model.cfg.decoding.greedy[key] is False  # rebuilt by change_decoding_strategy
    engine.runner.set_cuda_graphs(True)
    assert engine.model.cfg.decoding.greedy[key] is True


def test_hybrid_ctc_head_gets_the_ctc_key() -> None:
    options = EngineOptions(device="cpu", decoder="ctc", cuda_graphs="off", threads=1)
    engine = Engine(get_catalog().find("digits_hybrid"), options)
    engine.load()
    assert engine.model.cfg.aux_ctc.decoding.greedy["allow_cuda_graphs"] is False


class _FailsOnceInAGraph(Engine):
    calls = 0

    def _forward(self, audio: Sequence[np.ndarray], prompts: Sequence[Mapping[str, str]] | None = None) -> list[Hyp]:
        type(self).calls += 1
        if type(self).calls == 1:
            raise RuntimeError("CUDA graph replay failed: cudaErrorGraphExecUpdateFailure")
        return super()._forward(audio, prompts)


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_auto_retries_a_failing_batch_once_without_graphs() -> None:
    _FailsOnceInAGraph.calls = 0
    engine = _FailsOnceInAGraph(get_catalog().find("digits_tdt"), EngineOptions(device="cpu", threads=1))
    handler = _Lines()
    logger = logging.getLogger("asr_registry.engine")
    logger.addHandler(handler)
    try:
        results = engine.transcribe(_files())
    finally:
        logger.removeHandler(handler)
    assert all(r.text for r in results)
    assert engine.cuda_graphs_failed and engine.runner.cuda_graphs is False
    assert engine.model.cfg.decoding.greedy["use_cuda_graph_decoder"] is False
    warnings = [line for line in handler.lines if "CUDA-graph" in line]
    assert len(warnings) == 1 and "retrying without it" in warnings[0]


def test_on_does_not_retry() -> None:
    _FailsOnceInAGraph.calls = 0
    options = EngineOptions(device="cpu", cuda_graphs="on", threads=1)
    engine = _FailsOnceInAGraph(get_catalog().find("digits_tdt"), options)
    with pytest.raises(RuntimeError, match="CUDA graph"):
        engine.transcribe(_files())


def test_transcribe_and_bench_accept_the_option() -> None:
    from tests.support import cli_env, run_cli

    done = run_cli("transcribe", "--dry-run", "--model", "digits_tdt", "--cuda-graphs", "off", "--json", env=cli_env())
    assert json.loads(done.stdout)["cuda_graphs"] == "off"
    assert "--cuda-graphs" in run_cli("bench", "--help", env=cli_env()).stdout
