"""The input rules moved out of the CLI, called as library functions: which inputs combine, and
what `bench` refuses before anything is loaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from asr_registry.bench.plan import BenchRequest, plan_bench
from asr_registry.bench.runner import BenchOptions
from asr_registry.datasets.inputs import HfInput, transcribe_input
from asr_registry.errors import RegistryError
from asr_registry.plugins.manager import get_catalog, get_datasets
from tests.engine.helpers import TEST_MANIFEST


def test_sampling_options_need_a_dataset_and_a_manifest_passes_through() -> None:
    with pytest.raises(RegistryError, match=r"^--config, --limit need\(s\) --hf-dataset$"):
        HfInput(config="ami", limit=3).spec()
    assert HfInput(lhotse=Path("cuts.jsonl.gz"), limit=3).spec() is None  # --limit samples the cuts
    given = transcribe_input(str(TEST_MANIFEST), None, HfInput(), "digits_ctc")
    assert (given.manifest, given.out, given.scratch, given.dropped) == (str(TEST_MANIFEST), None, None, ())
    with pytest.raises(RegistryError, match="give a MANIFEST or --hf-dataset, not both"):
        transcribe_input(str(TEST_MANIFEST), None, HfInput(hf_dataset="some/id"), "digits_ctc")


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (BenchRequest(language="klingon"), "--language: 'klingon' is not an ISO 639-1 code"),
        (BenchRequest(tune=True), "--tune needs --ensemble"),
        (BenchRequest(models=("digits_ctc",), ensemble="digits_ctc,digits_tdt"), "not as arguments"),
        (BenchRequest(manifest=TEST_MANIFEST, hf=HfInput(oal="")), "give one of --manifest, --hf-dataset, --oal"),
        (BenchRequest(hf=HfInput(oal="")), "--oal benches one model: name it"),
    ],
)
def test_bench_plan_refuses_before_anything_loads(request_: BenchRequest, message: str) -> None:
    scratch_asked: list[bool] = []

    def scratch() -> Path:
        scratch_asked.append(True)
        raise AssertionError("no data is written out for a refused request")

    with pytest.raises(RegistryError, match=message):
        plan_bench(request_, get_catalog(), get_datasets(), scratch, print)
    assert scratch_asked == []


def test_bench_plan_names_the_manifest_data_and_the_installed_datasets() -> None:
    request = BenchRequest(("digits_ctc",), TEST_MANIFEST, "digits:test", options=BenchOptions(rounds=1))
    plan = plan_bench(request, get_catalog(), get_datasets(), lambda: Path("/nonexistent"), print)
    assert plan.user_data is not None and (plan.user_data.name, plan.user_data.split) == ("digits", "test")
    assert "digits:test" in plan.options.available and plan.options.rounds == 1 and plan.suite == ()
