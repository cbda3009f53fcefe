"""`bench --streaming` on the bundled cache-aware streaming model, and the streaming claim rules."""

from __future__ import annotations

import json

from asr_registry.bench.claims import Measurement, StreamingMeasurement, check_claims, check_streaming_claims
from asr_registry.catalog.schema import Claim, ModelEntry, ModelSource
from asr_registry.sizing.hardware import Hardware
from tests.support import catalog_entry, cli_env, invoke_cli

CHUNKS = [640, 320, 160, 80]


def test_bench_streaming_reports_every_chunk_size_beside_the_offline_row() -> None:
    result = invoke_cli("bench", "digits_streaming", "--streaming", env=cli_env(ASR_REGISTRY_LOAD_PLUGINS="digits"))
    table = result.stdout
    assert "Streaming bench of digits_streaming [ctc] on digits:test" in table, result.stderr
    lines = table.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("mode"))
    rows = [line.split() for line in lines[header + 2 : header + 2 + 1 + len(CHUNKS)]]
    assert [r[0] for r in rows] == ["offline", *(str(ms) for ms in CHUNKS)]
    # offline: WER, no chunk latency; each chunk size: WER and median / p95 latency in ms
    assert rows[0][5:7] == ["-", "-"]
    for row in rows[1:]:
        assert float(row[4].strip("[,")) >= 0  # WER
        assert float(row[7]) > 0 and float(row[8]) >= float(row[7])  # chunk ms p50 <= p95
    # Every streaming claim of the entry gets a verdict; accuracy holds on any machine.
    assert table.count("chunk_latency_ms") == len(CHUNKS)
    failed = "FAIL" in table
    assert result.returncode == (1 if failed else 0), table + result.stderr


def test_bench_streaming_json_has_the_rows_and_verdicts() -> None:
    result = invoke_cli(
        "bench",
        "digits_streaming",
        "--streaming",
        "--chunk-size",
        "160",
        "--json",
        env=cli_env(ASR_REGISTRY_LOAD_PLUGINS="digits"),
    )
    assert result.returncode in (0, 1), result.stderr
    (bench,) = json.loads(result.stdout)["streaming"]
    offline, streamed = bench["rows"]
    assert offline["mode"] == "offline" and offline["latency_ms"] is None and offline["chunk_ms"] is None
    assert streamed["chunk_ms"] == 160 and streamed["att_context_size"] == [32, 1]
    assert streamed["latency_ms"] > 0 and streamed["latency_p95_ms"] >= streamed["latency_ms"]
    assert streamed["rtf"] > 0 and streamed["chunks"] > 0 and streamed["utterances"] == offline["utterances"]
    statuses = {v["claim"]: v["status"] for v in bench["verdicts"]}
    # The WER claim at 160 ms is checked on the 160 ms row (the same model and data: it passes);
    # the other chunk sizes were not streamed this time.
    wer_160 = next(k for k in statuses if k.startswith("wer") and "chunk=160ms" in k)
    assert statuses[wer_160] == "PASS"
    wer_640 = next(k for k in statuses if k.startswith("wer") and "chunk=640ms" in k)
    assert statuses[wer_640] == "UNVERIFIABLE"


def test_bench_streaming_refuses_a_model_that_does_not_stream() -> None:
    result = invoke_cli("bench", "digits_ctc", "--streaming", env=cli_env(ASR_REGISTRY_LOAD_PLUGINS="digits"))
    assert result.returncode == 2
    assert "digits_ctc is not a cache-aware streaming model" in result.stderr


# -- the claim rules, on measurements made up here -----------------------------------------------
CPU = Hardware("cpu", "Test CPU", 2, "")


def _entry(*claims: Claim) -> ModelEntry:
    return catalog_entry(
        source=ModelSource(path="m.nemo"),
        streaming=True,
        att_context_sizes=((32, 1), (32, 0)),
        chunk_sizes_ms=(160, 80),
        claims=claims,
    )


def _row(chunk_ms: int | None, wer: float, latency: float | None, meaningful: bool = True) -> StreamingMeasurement:
    measured = Measurement("m", "digits", "test", "en", "ctc", 16, "fp32", CPU, wer, (wer - 1, wer + 1))
    return StreamingMeasurement(measured, chunk_ms, latency, None if latency is None else latency * 2, meaningful)


def _claim(metric: str, value: float, chunk_ms: int | None, **more: object) -> Claim:
    return Claim(metric=metric, value=value, source="s", dataset="digits", split="test", chunk_ms=chunk_ms, **more)


def test_streaming_claims_are_judged_on_the_row_of_their_chunk_size() -> None:
    wer_80 = _claim("wer", 20.0, 80)
    wer_160 = _claim("wer", 5.0, 160)
    offline = _claim("wer", 5.0, None)
    fast = _claim("chunk_latency_ms", 10.0, 80, gpu="cpu", cpu="Test CPU", threads=2)
    slow = _claim("chunk_latency_ms", 1.0, 160, gpu="cpu", cpu="Test CPU", threads=2)
    elsewhere = _claim("chunk_latency_ms", 1.0, 160, gpu="cpu", cpu="Other CPU", threads=2)
    entry = _entry(wer_80, wer_160, offline, fast, slow, elsewhere)
    rows = [_row(None, 5.0, None), _row(160, 5.5, 4.0), _row(80, 20.0, 9.0)]
    status = {id(v.claim): v.status for v in check_streaming_claims(entry, rows, CPU)}
    assert status[id(wer_80)] == "PASS" and status[id(wer_160)] == "PASS" and status[id(offline)] == "PASS"
    assert status[id(fast)] == "PASS"  # 9 ms measured, 10 ms claimed
    assert status[id(slow)] == "FAIL"  # 4 ms measured, 1 ms claimed, nothing else running
    assert status[id(elsewhere)] == "UNVERIFIABLE"  # another CPU's figure
    busy = Hardware("cpu", "Test CPU", 2, "other processes used 1.5 cores")
    (again,) = [v for v in check_streaming_claims(entry, rows, busy) if v.claim is slow]
    assert again.status == "UNVERIFIABLE" and "rerun on a quiet machine" in again.reason


def test_a_shadow_gives_latency_but_no_wer_verdict() -> None:
    wer_80 = _claim("wer", 20.0, 80)
    entry = _entry(wer_80)
    (verdict,) = check_streaming_claims(entry, [_row(80, 99.0, 9.0, meaningful=False)], CPU)
    assert verdict.status == "UNVERIFIABLE" and "random weights" in verdict.reason


def test_the_offline_bench_leaves_streaming_claims_to_bench_streaming() -> None:
    wer_80 = _claim("wer", 20.0, 80)
    entry = _entry(wer_80)
    measured = Measurement("m", "digits", "test", "en", "ctc", 16, "fp32", CPU, 20.0, (19.0, 21.0))
    (verdict,) = check_claims(entry, [measured], CPU)
    assert verdict.status == "UNVERIFIABLE" and "bench --streaming" in verdict.reason


def test_catalog_validation_checks_streaming_claims() -> None:
    from asr_registry.catalog.validation import check_entry

    entry = _entry(_claim("wer", 5.0, 100), _claim("chunk_latency_ms", 3.0, None), _claim("rtfx", 3.0, 80))
    messages = [message for _, message in check_entry(entry, None)]
    assert any("100 ms is not one of the model's chunk_sizes_ms (160, 80)" in m for m in messages)
    assert any("needs the chunk_ms it was measured at" in m for m in messages)
    assert any("chunk_ms is for wer, cer and chunk_latency_ms claims, not rtfx" in m for m in messages)
