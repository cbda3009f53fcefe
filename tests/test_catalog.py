"""The structural pass: TOML to typed entries, problems with file:line: field."""

from __future__ import annotations

from pathlib import Path

from asr_registry.catalog.reader import parse_catalog_text, read_catalog_file
from asr_registry.catalog.schema import Claim
from tests.support import SOURCES, cli_env, minimal_model, run_cli


def test_reads_a_full_entry_into_typed_fields() -> None:
    text = SOURCES + minimal_model(
        "alpha",
        parameters="114000000",
        precision='"bf16"',
        languages='["en", "de"]',
        claims='[\n  { metric = "wer", value = 1.69, dataset = "librispeech", split = "test-clean", source = "test" },\n'
        '  { metric = "rtfx", range = [10.0, 20.0], batch_size = 8, source = "test" },\n]',
    )
    text += (
        '[models.alpha.resources]\nmin_gpu_memory_gb = 12.0\nbatch_size = { "8" = 16, "24" = 64 }\nsource = "test"\n'
    )
    parsed = parse_catalog_text(text, "models.toml")
    assert parsed.problems == []
    entry = parsed.models["alpha"]
    assert entry.parameters == 114_000_000
    assert entry.languages == ("en", "de") and entry.multilingual
    assert entry.claims[0] == Claim(metric="wer", source="test", value=1.69, dataset="librispeech", split="test-clean")
    assert entry.claims[1].range == (10.0, 20.0) and entry.claims[1].batch_size == 8
    assert entry.resources.batch_size == {8: 16, 24: 64}
    assert entry.resources.batch_size_for(16) == 16
    assert entry.resources.batch_size_for(80) == 64
    assert entry.resources.batch_size_for(4) is None


def test_toml_syntax_error_names_the_line() -> None:
    parsed = parse_catalog_text(SOURCES + "[models.x]\nstatus = \n", "models.toml")
    assert len(parsed.problems) == 1
    assert str(parsed.problems[0]).startswith("models.toml:7: invalid TOML")


def test_unknown_key_suggests_the_right_one_with_its_line() -> None:
    text = SOURCES + minimal_model("beta", languagse='["en"]')
    messages = [str(p) for p in parse_catalog_text(text, "models.toml").problems]
    assert "models.toml:13: models.beta.languagse: unknown key (did you mean 'languages'?)" in messages


def test_wrong_types_are_reported_per_field() -> None:
    text = SOURCES + minimal_model("gamma", parameters='"many"', streaming='"yes"')
    messages = [str(p) for p in parse_catalog_text(text, "models.toml").problems]
    assert any("models.gamma.parameters: expected an integer, got a string" in m for m in messages)
    assert any("models.gamma.streaming: expected true or false, got a string" in m for m in messages)


def test_missing_required_key_and_claim_without_value() -> None:
    text = SOURCES + '[models.delta]\nstatus = "published"\nclaims = [\n  { metric = "wer", source = "test" },\n]\n'
    messages = [str(p) for p in parse_catalog_text(text, "models.toml").problems]
    assert any("models.delta: missing required key 'languages'" in m for m in messages)
    assert "models.toml:9: models.delta.claims[0]: give exactly one of 'value' or 'range'" in messages


def test_quoted_names_and_array_of_tables_claims_get_lines() -> None:
    text = SOURCES + minimal_model("parakeet-tdt-0.6b-v2")
    text += '\n[[models."parakeet-tdt-0.6b-v2".claims]]\nmetric = "wer"\nsource = "test"\n'
    messages = [str(p) for p in parse_catalog_text(text, "models.toml").problems]
    assert messages == [
        "models.toml:14: models.\"parakeet-tdt-0.6b-v2\".claims[0]: give exactly one of 'value' or 'range'"
    ]


def test_unreadable_file_is_a_problem_not_an_exception(tmp_path) -> None:
    parsed = read_catalog_file(tmp_path / "absent.toml")
    assert "cannot read" in str(parsed.problems[0])
    (tmp_path / "binary.toml").write_bytes(b"\xff\xfe\x00garbage")
    assert read_catalog_file(tmp_path / "binary.toml").problems


def test_reads_prompts_locales_tasks_and_streaming_settings() -> None:
    text = SOURCES + minimal_model(
        "stream",
        family='"rnnt"',
        decoders='["rnnt"]',
        languages='["en", "es"]',
        locales='["en-US", "es-US"]',
        prompt='["language"]',
        tasks='["asr"]',
        streaming="true",
        att_context_sizes="[[70, 13], [70, 0]]",
        chunk_sizes_ms="[1120, 80]",
    )
    parsed = parse_catalog_text(text, "models.toml")
    assert parsed.problems == []
    entry = parsed.models["stream"]
    assert entry.locales == ("en-US", "es-US") and entry.prompt == ("language",) and entry.tasks == ("asr",)
    assert entry.att_context_sizes == ((70, 13), (70, 0)) and entry.chunk_sizes_ms == (1120, 80)
    assert parse_catalog_text(SOURCES + minimal_model("plain"), "models.toml").models["plain"].tasks == ("asr",)


def test_bad_streaming_settings_name_their_line() -> None:
    text = SOURCES + minimal_model("s", att_context_sizes="[[70, 13, 1]]", chunk_sizes_ms="[80, -1]")
    messages = [str(p) for p in parse_catalog_text(text, "models.toml").problems]
    assert (
        "models.toml:13: models.s.att_context_sizes: expected a list of [left, right] pairs, e.g. [[70, 13], [70, 6]]"
        in messages
    )
    assert "models.toml:14: models.s.chunk_sizes_ms: must be positive, got -1" in messages


def test_reads_the_exclusion_list() -> None:
    text = SOURCES + '[excluded.vad_x]\nkind = "not-asr"\nreason = "voice activity detection"\nhf = "nvidia/vad_x"\n'
    parsed = parse_catalog_text(text, "models.toml")
    assert parsed.problems == []
    assert parsed.excluded["vad_x"].kind == "not-asr" and parsed.excluded["vad_x"].hf == "nvidia/vad_x"
    broken = parse_catalog_text(SOURCES + '[excluded.y]\nkind = "not-asr"\nwhy = "?"\n', "models.toml")
    messages = [str(p) for p in broken.problems]
    assert "models.toml:6: excluded.y: missing required key 'reason'" in messages
    assert "models.toml:8: excluded.y.why: unknown key" in messages


# -- bounds: nesting, size, schema_version, an empty catalog, implausible figures ----------------
def test_a_catalog_nested_thousands_of_arrays_deep_is_a_problem_not_a_recursion_error() -> None:
    # Before: RecursionError out of tomllib.
    text = SOURCES + "x = " + "[" * 5000 + "]" * 5000 + "\n"
    (problem,) = parse_catalog_text(text, "models.toml").problems
    assert str(problem) == "models.toml:6: invalid TOML: nested more than 32 levels deep"


def test_brackets_inside_strings_and_comments_do_not_count_as_nesting() -> None:
    deep = "[" * 100
    text = SOURCES + f"# {deep}\n" + minimal_model("a", notes=f'"{deep}"', architecture=f"'''{deep}'''")
    parsed = parse_catalog_text(text, "models.toml")
    assert parsed.problems == [] and parsed.models["a"].notes == deep


def test_an_empty_catalog_and_a_missing_schema_version_are_refused() -> None:
    # Before: both were read as a valid catalog (of nothing, or of version 1 by default).
    for text in ("", "# only a comment\n\n"):
        (problem,) = parse_catalog_text(text, "models.toml").problems
        assert str(problem).startswith("models.toml: the catalog is empty")
    without = SOURCES.replace("schema_version = 1\n", "") + minimal_model("a")
    messages = [str(p) for p in parse_catalog_text(without, "models.toml").problems]
    assert messages == ["models.toml:1: missing required key 'schema_version' (write 'schema_version = 1' at the top)"]
    nothing = [str(p) for p in parse_catalog_text("schema_version = 1\n", "models.toml").problems]
    assert nothing == [
        "models.toml: the catalog defines nothing: no [models.NAME], [sources], [tiers] or [excluded] tables"
    ]


def test_a_huge_claimed_batch_size_is_refused() -> None:
    text = SOURCES + minimal_model(
        "a", claims='[{ metric = "rtfx", value = 100.0, batch_size = 100000000, source = "test" }]'
    )
    text += '[models.a.resources]\nbatch_size = { "16" = 99999999999, "999999" = 8 }\n'
    messages = [str(p) for p in parse_catalog_text(text, "models.toml").problems]
    assert any("claims[0].batch_size: batch size 100000000 is not plausible (at most 65536)" in m for m in messages)
    assert any("resources.batch_size: batch size 99999999999 is not plausible" in m for m in messages), messages


def test_the_cli_reports_a_deep_or_empty_catalog_in_one_line(tmp_path: Path) -> None:
    for name, text in (("deep.toml", "schema_version = 1\nx = " + "[" * 5000 + "]" * 5000), ("empty.toml", "")):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        result = run_cli("list", env=cli_env(ASR_REGISTRY_CATALOG=str(path), ASR_REGISTRY_LOAD_PLUGINS=""))
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr and "RecursionError" not in result.stderr
        assert result.stderr.count("\n") == 1 and name in result.stderr, result.stderr
