"""Meaning checks: codes, ranges, consistency and references between entries."""

from __future__ import annotations

from dataclasses import replace

from asr_registry.catalog.schema import ModelSource
from asr_registry.catalog.validation import check_entry, validate_file
from tests.support import SOURCES, catalog_entry, minimal_model


def _messages(write_catalog, text: str) -> list[str]:
    _, problems = validate_file(write_catalog(text))
    return [str(p) for p in problems]


def test_precise_error_for_a_bad_language_code(write_catalog) -> None:
    messages = _messages(write_catalog, SOURCES + minimal_model("foo", languages='["eng"]'))
    assert messages == ["models.toml:12: models.foo.languages: unknown language code 'eng' (use ISO 639-1, e.g. 'en')"]


def test_impossible_values_are_reported(write_catalog) -> None:
    text = SOURCES + minimal_model(
        "foo",
        family='"hybrid"',
        decoders='["ctc"]',
        sample_rate="1234",
        claims='[\n  { metric = "wer", value = 140.0, source = "test" },\n  { metric = "rtfx", value = -2.0, source = "nope" },\n]',
    )
    messages = _messages(write_catalog, text)
    assert any("models.foo.decoders: a hybrid model has two decoders" in m for m in messages)
    assert any("models.foo.sample_rate: unusual sample rate 1234 Hz" in m for m in messages)
    assert any(":15: models.foo.claims[0].value: wer is a percentage: 0-100, got 140" in m for m in messages)
    assert any(":16: models.foo.claims[1].source: unknown source 'nope'" in m for m in messages)
    assert any(":16: models.foo.claims[1].value: rtfx must be positive" in m for m in messages)


def test_a_key_holding_a_line_break_stays_on_one_line(write_catalog) -> None:
    # Found by the fuzz test: a model named "a<newline>b" split its errors over two lines.
    text = 'schema_version = 1\n[models."a\\nb\\"c"]\nfamily = "x"\n'
    messages = _messages(write_catalog, text)
    assert messages and all("\n" not in m for m in messages)
    assert 'models."a\\u000Ab\\"c".family: unknown family' in " ".join(messages)


def test_unverified_needs_published_substitutes(write_catalog) -> None:
    text = (
        SOURCES
        + minimal_model("ghost", status='"unverified"', substitutes='["other"]')
        + minimal_model("other", status='"unverified"', substitutes='["ghost"]')
    )
    messages = _messages(write_catalog, text)
    assert any("models.ghost.substitutes: 'other' is not published itself" in m for m in messages)
    messages = _messages(write_catalog, SOURCES + minimal_model("lonely", status='"unverified"'))
    assert any("models.lonely.substitutes: an unverified model must name published substitutes" in m for m in messages)


def test_names_differing_only_in_case_are_duplicates(write_catalog) -> None:
    messages = _messages(write_catalog, SOURCES + minimal_model("Dup") + minimal_model("dup"))
    assert any("duplicate of 'Dup'" in m for m in messages)


def test_same_table_twice_is_a_toml_error_with_line(write_catalog) -> None:
    messages = _messages(write_catalog, SOURCES + minimal_model("same") + minimal_model("same"))
    assert len(messages) == 1 and messages[0].startswith("models.toml:13: invalid TOML")


def test_local_model_needs_a_checksum() -> None:
    entry = catalog_entry("local", source=ModelSource(path="m.nemo"))
    assert (("source", "sha256"), "a local .nemo path needs its sha256 (64 lowercase hex digits)") in check_entry(entry)


def test_ngc_name_with_a_slash_is_rejected() -> None:
    entry = catalog_entry("x", source=ModelSource(ngc="nvidia/x"), size="large")
    assert any(path == ("source", "ngc") for path, _ in check_entry(entry))


def test_shipped_catalog_is_clean() -> None:
    from asr_registry.plugins.catalog_files import builtin_catalog_path

    catalog, problems = validate_file(builtin_catalog_path())
    assert [str(p) for p in problems] == []
    assert len(catalog.models) >= 30


def test_prompts_locales_and_streaming_settings_are_checked(write_catalog) -> None:
    text = SOURCES + minimal_model(
        "m",
        languages='["en"]',
        locales='["es-ES", "english"]',
        prompt='["langauge"]',
        tasks='["asr", "ast"]',
        chunk_sizes_ms="[80]",
    )
    messages = _messages(write_catalog, text)
    assert "models.toml:13: models.m.locales: locale 'es-ES' is of a language not in languages" in messages
    assert "models.toml:13: models.m.locales: 'english' is not a BCP-47 locale like 'en-US'" in messages
    assert any("models.m.prompt: unknown prompt field 'langauge'" in m for m in messages)
    assert any("models.m.prompt: a translation model needs source_lang and target_lang prompts" in m for m in messages)
    assert any("models.m.streaming: att_context_sizes / chunk_sizes_ms are for streaming models" in m for m in messages)


def test_emission_delays_name_the_models_decoders_and_stay_plausible(write_catalog) -> None:
    wrong_decoder = _messages(write_catalog, SOURCES + minimal_model("m", emission_delay_s="{ rnnt = 0.1 }"))
    assert any("models.m.emission_delay_s.rnnt: 'rnnt' is not one of the model's decoders" in m for m in wrong_decoder)
    too_late = _messages(write_catalog, SOURCES + minimal_model("m", emission_delay_s="{ ctc = 3.0 }"))
    assert any("models.m.emission_delay_s: ctc: 3 s is not a plausible emission delay" in m for m in too_late)
    fine = catalog_entry(emission_delay_s=(("ctc", -0.04),))
    assert fine.emission_delay("ctc") == -0.04 and fine.emission_delay("") == -0.04
    assert catalog_entry().emission_delay("ctc") == 0.0


def test_exclusions_are_checked(write_catalog) -> None:
    text = (
        SOURCES
        + minimal_model("both")
        + (
            '[excluded.both]\nkind = "not-asr"\nreason = "x"\n'
            '[excluded.odd]\nkind = "boring"\nreason = " "\nsource = "nope"\n'
        )
    )
    messages = _messages(write_catalog, text)
    assert any("excluded.both: 'both' is both a model and excluded" in m for m in messages)
    assert any("excluded.odd.kind: unknown kind 'boring'" in m for m in messages)
    assert any("excluded.odd.reason: say why it is excluded" in m for m in messages)
    assert any("excluded.odd.source: unknown source 'nope'" in m for m in messages)


def test_kabyle_uses_its_iso_639_3_code() -> None:
    entry = catalog_entry("k", "rnnt", size="large", languages=("kab",))
    assert check_entry(entry) == []
    assert any("unknown language code 'kabyle'" in m for _, m in check_entry(replace(entry, languages=("kabyle",))))


def test_shipped_catalog_covers_the_2025_2026_checkpoints() -> None:
    from asr_registry.plugins.catalog_files import builtin_catalog_path

    catalog, _ = validate_file(builtin_catalog_path())
    assert len(catalog.models) >= 120
    for name in (
        "canary-1b-v2",
        "canary-qwen-2.5b",
        "nemotron-speech-streaming-en-0.6b",
        "nemotron-3.5-asr-streaming-0.6b",
        "parakeet-tdt_ctc-0.6b-ja",
        "stt_ka_fastconformer_hybrid_large_pc",
    ):
        assert catalog.models[name].published, name
    assert catalog.models["canary-1b-v2"].tasks == ("asr", "ast")
    assert catalog.models["nemotron-3.5-asr-streaming-0.6b"].prompt == ("language",)
    assert {"asr_talknet_aligner", "vad_multilingual_frame_marblenet"} <= set(catalog.excluded)


def test_claim_conditions_unstated_must_name_conditions_the_claim_does_not_give(write_catalog) -> None:
    text = SOURCES + minimal_model(
        "foo",
        claims='[\n  { metric = "wer", value = 5.0, split = "test", source = "test", unstated = ["split", "colour"] },\n'
        '  { metric = "wer", value = 5.0, source = "test", scoring = "oal 2026" },\n]',
    )
    messages = _messages(write_catalog, text)
    assert any("claims[0].unstated: 'split' is declared unstated but the claim gives it" in m for m in messages)
    assert any("claims[0].unstated: 'colour' is not a condition" in m for m in messages)
    assert any("claims[1].scoring: 'oal 2026' is not a scoring version name" in m for m in messages)


def test_strict_lists_missing_and_unstated_conditions(write_catalog) -> None:
    from asr_registry.catalog.validation import condition_gaps, gap_counts

    text = SOURCES + minimal_model(
        "foo",
        claims='[\n  { metric = "wer", value = 5.0, source = "test" },\n'
        '  { metric = "wer", value = 5.0, split = "test", scoring = "oal-2026-03", source = "test" },\n'
        '  { metric = "rtfx", value = 50.0, gpu = "A100", source = "test", unstated = ["batch_size"] },\n]',
    )
    catalog, problems = validate_file(write_catalog(text))
    assert problems == []
    gaps = condition_gaps(catalog)
    assert [(g.where, g.missing, g.declared_unstated) for g in gaps] == [
        ("models.foo.claims[0]", ("split", "scoring"), ()),
        ("models.foo.claims[2]", (), ("batch_size",)),
    ]
    assert gap_counts(gaps) == {
        "batch_size": {"missing": 0, "unstated": 1},
        "scoring": {"missing": 1, "unstated": 0},
        "split": {"missing": 1, "unstated": 0},
    }


def test_shipped_catalog_states_or_declares_every_condition_a_rerun_needs(cli) -> None:
    result = cli("validate", "--strict", "--no-nemo")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "missing" in result.stdout and ", 0 missing" in result.stdout
    assert "scoring: " in result.stdout and "split: " in result.stdout
    from asr_registry.plugins.manager import get_catalog

    board = [c for e in get_catalog().models.values() for c in e.claims if c.source == "oal-2026-03"]
    assert len(board) >= 150 and {c.scoring for c in board} == {"oal-2026-03"}
    assert all(c.split for c in board if c.metric == "wer" and not c.dataset.startswith("open-asr-leaderboard"))


# NeMo's docs checkpoint and score tables (docs/source/asr/data/) list these, NeMo 3.0.0's
# ASRModel.list_available_models() does not (checked 2026-12): NeMo cannot load them by name.
DROPPED_BY_NEMO = (
    ["QuartzNet15x5Base-En", "stt_en_quartznet15x5"]
    + [f"stt_{lang}_quartznet15x5" for lang in ("ca", "de", "es", "fr", "it", "pl", "ru")]
    + [f"stt_en_contextnet_{width}{mls}" for width in (256, 512, 1024) for mls in ("", "_mls")]
    + [f"stt_{lang}_contextnet_1024" for lang in ("de", "es", "fr")]
    + ["stt_enes_contextnet_large"]
    + [f"stt_en_squeezeformer_ctc_{size}_ls" for size in ("xsmall", "small", "small_medium", "medium", "medium_large")]
    + ["stt_en_squeezeformer_ctc_large_ls", "stt_zh_citrinet_512"]
)


def test_checkpoints_nemo_dropped_are_each_recorded_as_withdrawn() -> None:
    from asr_registry.plugins.catalog_files import builtin_file
    from asr_registry.plugins.manager import get_catalog

    models, excluded = get_catalog().models, builtin_file().excluded
    assert len(DROPPED_BY_NEMO) == 26
    for name in DROPPED_BY_NEMO:
        assert name not in models, name
        assert excluded[name].kind == "withdrawn" and excluded[name].source, name
