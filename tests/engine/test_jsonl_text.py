"""JSONL per the JSON spec: lines split on '\\n' only, any valid row read, written and read back.

Rows may hold raw U+2028/U+2029/U+0085 inside strings and lone surrogates (`"\\ud83d"`, valid
JSON); the tool's own output must be valid input to `transcribe` and `bench` again. The
property test drives the real engine (the bundled digits_ctc model, loaded once) over rows
hypothesis makes up.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asr_registry.bench.runner import references
from asr_registry.catalog.schema import Dataset
from asr_registry.engine import Engine
from asr_registry.engine.manifest import dumps_line, encode_line, read_manifest
from asr_registry.engine.manifest_run import run_manifest
from asr_registry.engine.options import EngineOptions
from asr_registry.errors import RegistryError
from asr_registry.metrics.wer import score
from tests.engine.helpers import Digits, model_entry
from tests.support import Result

SEPARATORS = ("\u2028", "\u2029", "\u0085", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e")


def _audio(digits: Digits, n: int = 0) -> str:
    return str(digits.audio(digits.rows[n]))


def test_raw_unicode_line_separators_inside_strings_are_one_row(tmp_path: Path) -> None:
    # str.splitlines() splits on every one of these: each row would have become two bad lines.
    manifest = tmp_path / "m.jsonl"
    rows = [{"audio_filepath": "a.wav", "text": f"one{sep}two"} for sep in SEPARATORS]
    manifest.write_bytes(b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in rows))
    items = read_manifest(manifest)
    assert [dict(i.fields) for i in items] == rows
    assert [i.line for i in items] == list(range(1, len(rows) + 1))


def test_a_lone_surrogate_in_text_is_read_and_written_back_as_valid_json(tmp_path: Path) -> None:
    manifest = tmp_path / "m.jsonl"
    manifest.write_text('{"audio_filepath": "a.wav", "text": "x\\ud83dy"}\n', encoding="utf-8")
    (item,) = read_manifest(manifest)
    assert item.fields["text"] == "x\ud83dy"
    line = encode_line(dict(item.fields))  # today: UnicodeEncodeError ('surrogates not allowed')
    assert json.loads(line.decode("utf-8")) == dict(item.fields)
    assert dumps_line({"t": "é\u2028"}) == '{"t": "é\u2028"}'  # other text stays raw and readable


def test_a_lone_surrogate_in_audio_filepath_is_a_bad_row_with_its_line(tmp_path: Path) -> None:
    manifest = tmp_path / "m.jsonl"
    manifest.write_text('{"audio_filepath": "a.wav"}\n{"audio_filepath": "b\\ud83d.wav"}\n', encoding="utf-8")
    with pytest.raises(RegistryError, match=r"m\.jsonl:2: 'audio_filepath' contains U\+D83D"):
        read_manifest(manifest)


def test_a_latin1_manifest_names_the_line_not_a_byte_offset(tmp_path: Path) -> None:
    manifest = tmp_path / "m.jsonl"
    manifest.write_bytes('{"audio_filepath": "a.wav"}\n{"audio_filepath": "b.wav", "text": "café"}\n'.encode("latin-1"))
    with pytest.raises(RegistryError) as info:
        read_manifest(manifest)
    message = str(info.value)
    assert message.startswith(f"{manifest}:2: not UTF-8 text (byte 0xe9 at column 41)"), message
    assert "\n" not in message


def test_cli_reads_its_own_output_with_separators_and_surrogates(
    transcribe: Callable[..., Result], digits: Digits, tmp_path: Path
) -> None:
    """Before: 'not valid JSON' for U+2028, a traceback after the model loaded for a lone surrogate."""
    manifest = tmp_path / "m.jsonl"
    manifest.write_text(
        json.dumps({"audio_filepath": _audio(digits), "text": "a\u2028b\u0085c", "note": "\u2029"}, ensure_ascii=False)
        + "\n"
        + json.dumps({"audio_filepath": _audio(digits, 1), "text": "\ud83d lone"})
        + "\n",
        encoding="utf-8",
    )
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    done = transcribe(
        "transcribe", str(manifest), "--model", "t-digits-ctc", "--device", "cpu", "--out", str(first), "--no-progress"
    )
    assert done.returncode == 0, done.stderr
    again = transcribe(
        "transcribe",
        str(first),
        "--model",
        "t-digits-ctc",
        "--device",
        "cpu",
        "--out",
        str(second),
        "--pred-key",
        "again",
        "--no-progress",
    )
    assert again.returncode == 0, again.stderr
    rows = [json.loads(line) for line in second.read_bytes().decode("utf-8").split("\n")[:-1]]
    assert [r["text"] for r in rows] == ["a\u2028b\u0085c", "\ud83d lone"]
    assert [r["again"] for r in rows] == [r["pred_text"] for r in rows]


# -- property: any JSON row survives transcribe -> transcribe / bench ------------------------------
RESERVED = {"audio_filepath", "text", "pred_text", "again", "skipped", "duration", "offset"}
any_text = st.text(st.characters(exclude_categories=()), max_size=12)  # surrogates and separators included
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | any_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(any_text, inner, max_size=3),
    max_leaves=6,
)
extra_fields = st.dictionaries(any_text.filter(lambda k: k not in RESERVED), json_values, max_size=3)


@pytest.fixture(scope="module")
def ctc_engine(digits: Digits) -> Engine:
    engine = Engine(model_entry(digits, "ctc"), EngineOptions(device="cpu", batch_size=4))
    engine.load()
    return engine


@pytest.mark.slow
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(any_text, extra_fields), min_size=1, max_size=2))
def test_any_json_row_round_trips_through_transcribe_and_bench(
    rows: list[tuple[str, dict[str, Any]]], ctc_engine: Engine, digits: Digits, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("roundtrip")
    manifest = folder / "in.jsonl"
    written = [{"audio_filepath": _audio(digits, n), "text": text, **extra} for n, (text, extra) in enumerate(rows)]
    manifest.write_bytes(b"".join(encode_line(r) for r in written))
    inputs = [dict(item.fields) for item in read_manifest(manifest)]  # what JSON gives back for each row

    first = folder / "first.jsonl"
    run_manifest(ctc_engine, manifest, first)
    outputs = [dict(item.fields) for item in read_manifest(first)]
    assert [{k: v for k, v in o.items() if k != "pred_text"} for o in outputs] == inputs

    second = folder / "second.jsonl"
    run_manifest(ctc_engine, first, second, pred_key="again")
    again = [dict(item.fields) for item in read_manifest(second)]
    assert [{k: v for k, v in a.items() if k != "again"} for a in again] == outputs

    _, texts = references(Dataset(name="roundtrip", manifest=str(second), language="en"))
    assert texts == [r["text"] for r in inputs]
    score(texts, [a["again"] or "" for a in again], resamples=5)  # the bench's scoring takes any text
