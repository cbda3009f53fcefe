"""`catalog sync` on real card metadata: only the hub listing and card download are replaced."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import pytest

from asr_registry.catalog.validation import validate_file
from asr_registry.plugins.catalog_files import builtin_catalog_path, builtin_file
from asr_registry.sync.hub import HubError, HubModel, HuggingFaceHub, parse_card
from asr_registry.sync.report import sync, write_drafts
from tests.support import cli_env, run_cli

CARDS = Path(__file__).parent / "fixtures" / "cards"
# Drafted by the tests because they are taken out of the catalog first.
DRAFTED = (
    "nvidia/parakeet-tdt_ctc-0.6b-ja",
    "nvidia/stt_fa_fastconformer_hybrid_large",
    "nvidia/stt_uz_fastconformer_hybrid_large_pc",
)


class FixtureHub:
    """The hub as files: the listing is the fixture folder plus extra repos; cards are parsed for real."""

    def __init__(self, extra: tuple[str, ...] = (), broken: tuple[str, ...] = ()) -> None:
        self.repos = sorted({p.stem.replace("__", "/") for p in CARDS.glob("*.md")} | set(extra))
        self.broken = set(broken)

    def list_models(self) -> list[HubModel]:
        return [HubModel(repo, ("nemo", "automatic-speech-recognition")) for repo in self.repos]

    def card(self, repo_id: str):
        if repo_id in self.broken:
            raise HubError(f"cannot read the card of {repo_id} (HTTPError: 404)")
        return parse_card((CARDS / f"{repo_id.replace('/', '__')}.md").read_text(encoding="utf-8"))

    def eval_results(self, repo_id: str) -> str | None:
        path = CARDS / f"{repo_id.replace('/', '__')}.eval_results.yaml"
        return path.read_text(encoding="utf-8") if path.is_file() else None


def _catalog_without(*repos: str):
    catalog = builtin_file()
    kept = {n: m for n, m in catalog.models.items() if m.source.hf not in repos}
    return replace(catalog, models=kept)


def test_reports_missing_and_unlisted_models_and_honours_exclusions() -> None:
    hub = FixtureHub(extra=("nvidia/slu_conformer_transformer_large_slurp",))
    report = sync(_catalog_without(*DRAFTED), hub, today=lambda: "2026-11-30")
    assert report.listed == 6
    assert report.missing == DRAFTED  # nemotron is in the catalog, the SLU model is excluded
    assert report.excluded == ("nvidia/slu_conformer_transformer_large_slurp",)
    assert "parakeet-tdt-0.6b-v2" in report.not_listed  # in the catalog, not in this listing
    assert "nemotron-speech-streaming-en-0.6b" not in report.not_listed
    assert report.drafted == DRAFTED and report.skipped == ()


def test_drafts_are_valid_catalog_toml_with_the_cards_claims(tmp_path) -> None:
    report = sync(_catalog_without(*DRAFTED), FixtureHub(), today=lambda: "2026-11-30")
    path = write_drafts(report, str(tmp_path / "drafts.toml"))
    catalog, problems = validate_file(path)
    assert [str(p) for p in problems] == []
    assert sorted(catalog.models) == [
        "parakeet-tdt_ctc-0.6b-ja",
        "stt_fa_fastconformer_hybrid_large",
        "stt_uz_fastconformer_hybrid_large_pc",
    ]
    uz = catalog.models["stt_uz_fastconformer_hybrid_large_pc"]
    assert uz.languages == ("uz",) and uz.license == "cc-by-4.0" and uz.family == "hybrid" and uz.punctuation
    card = [c for c in uz.claims if not c.scoring]  # the planted leaderboard file's are tested below
    assert {(c.metric, c.value, c.dataset, c.split, c.language) for c in card} == {
        ("wer", 16.46, "mcv-17.0", "test", "uz"),
        ("wer", 17.52, "fleurs", "dev", "uz"),
    }
    assert catalog.sources[card[0].source].url == "https://huggingface.co/nvidia/stt_uz_fastconformer_hybrid_large_pc"
    fa = catalog.models["stt_fa_fastconformer_hybrid_large"]
    assert {(c.metric, c.decoder, c.value) for c in fa.claims} == {
        ("wer", "ctc", 13.16),
        ("cer", "ctc", 3.85),
        ("wer", "rnnt", 15.48),
        ("cer", "rnnt", 4.63),
    }
    ja = catalog.models["parakeet-tdt_ctc-0.6b-ja"]
    assert ja.family == "hybrid" and ja.decoders == ("tdt", "ctc") and ja.size == "xlarge"
    assert [c.value for c in ja.claims if c.metric == "cer"] == [6.4, 7.1, 10.1, 13.2, 9.0]
    # The catalog holds the same figures, entered from the same cards: drafts agree with it.
    shipped = builtin_file().models["stt_uz_fastconformer_hybrid_large_pc"]
    assert {c.value for c in shipped.claims} == {c.value for c in card}


def test_card_without_languages_and_a_librispeech_config(tmp_path) -> None:
    nemotron = "nvidia/nemotron-speech-streaming-en-0.6b"
    report = sync(_catalog_without(nemotron), FixtureHub(), today=lambda: "2026-11-30")
    draft = next(d for d in report.drafts if d.repo_id == nemotron)
    assert draft.fields["languages"] == ["en"] and any("from the repository name" in g for g in draft.guesses)
    assert draft.fields["license"] == "nvidia-open-model-license" and draft.fields["streaming"] is True
    splits = {(c.dataset, c.split): c.value for c in draft.claims}
    assert splits[("librispeech", "test-clean")] == 2.32 and splits[("librispeech", "test-other")] == 4.84


def test_an_unreadable_card_is_skipped_and_the_rest_drafted() -> None:
    broken = "nvidia/stt_fa_fastconformer_hybrid_large"
    report = sync(_catalog_without(*DRAFTED), FixtureHub(broken=(broken,)), today=lambda: "2026-11-30")
    assert report.skipped == (f"{broken}: cannot read the card of {broken} (HTTPError: 404)",)
    assert broken not in report.drafted and len(report.drafted) == 2


def test_sync_never_touches_the_catalog_or_drafts_known_models(tmp_path) -> None:
    before = hashlib.sha256(Path(builtin_catalog_path()).read_bytes()).hexdigest()
    report = sync(builtin_file(), FixtureHub(), today=lambda: "2026-11-30")
    assert report.missing == () and report.drafts == []  # every fixture model is in the catalog already
    assert hashlib.sha256(Path(builtin_catalog_path()).read_bytes()).hexdigest() == before


def test_the_real_client_queries_author_library_and_task() -> None:
    calls = []

    class Info:
        def __init__(self, repo: str) -> None:
            self.id, self.tags, self.last_modified = repo, ["nemo"], None

    class Api:  # the network boundary of HfApi
        def list_models(self, **query):
            calls.append(query)
            return iter([Info("nvidia/b"), Info("nvidia/a")])

    hub = HuggingFaceHub()
    hub._api = Api()
    assert [m.repo_id for m in hub.list_models()] == ["nvidia/a", "nvidia/b"]
    assert calls == [{"author": "nvidia", "filter": "nemo", "pipeline_tag": "automatic-speech-recognition"}]


def test_offline_sync_is_one_line_exit_2(tmp_path) -> None:
    result = run_cli("catalog", "sync", "--out", str(tmp_path / "d.toml"), env=cli_env(HF_HUB_OFFLINE="1"))
    assert result.returncode == 2
    assert result.stderr.startswith("error: cannot list models on the Hugging Face hub (")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert not (tmp_path / "d.toml").exists()


@pytest.mark.parametrize("card", sorted(CARDS.glob("*.md")), ids=lambda p: p.stem)
def test_fixtures_are_metadata_only(card: Path) -> None:
    text = card.read_text(encoding="utf-8")
    assert text.startswith("---\n") and text.rstrip().endswith("---")
    assert parse_card(text).data.to_dict()  # huggingface_hub parses it


def test_a_translation_card_drafts_an_aed_model_with_prompts_and_only_error_rates() -> None:
    canary = "nvidia/canary-1b-v2"
    report = sync(_catalog_without(canary), FixtureHub(), today=lambda: "2026-11-30")
    draft = next(d for d in report.drafts if d.repo_id == canary)
    assert draft.fields["family"] == "aed" and draft.fields["tasks"] == ["asr", "ast"]
    assert draft.fields["prompt"] == ["source_lang", "target_lang"] and len(draft.fields["languages"]) == 25
    # BLEU and COMET are not catalog metrics; the ASR results keep their per-language conditions.
    assert [(c.dataset, c.language, c.value) for c in draft.claims] == [
        ("fleurs", "bg", 9.25),
        ("fleurs", "cs", 7.86),
        ("mls", "es", 2.94),
    ]


def test_leaderboard_files_are_compared_with_the_catalog_and_drafted_for_new_models(tmp_path) -> None:
    uz = "nvidia/stt_uz_fastconformer_hybrid_large_pc"
    hub = FixtureHub(extra=("nvidia/parakeet-tdt-0.6b-v3",))
    report = sync(_catalog_without(uz), hub, today=lambda: "2026-11-30")
    v3 = [line for line in report.leaderboard if line.startswith("nvidia/parakeet-tdt-0.6b-v3")]
    assert v3 == [
        "nvidia/parakeet-tdt-0.6b-v3 (parakeet-tdt-0.6b-v3): wer 6.32 on open-asr-leaderboard-avg (undated): "
        "the catalog agrees: 6.32 [oal-2026-03]",
        "nvidia/parakeet-tdt-0.6b-v3 (parakeet-tdt-0.6b-v3): rtfx 3332.74 on open-asr-leaderboard (undated): "
        "the catalog agrees: 3332.74 [oal-2026-03]",
        "nvidia/parakeet-tdt-0.6b-v3 (parakeet-tdt-0.6b-v3): wer 11.39 on ami:test (undated): "
        "the catalog agrees: 11.39 [oal-2026-03]",
    ]
    assert report.dropped == (
        f"{uz}: .eval_results/open_asr_leaderboard.yaml: result 4 (rtfx): value nan is not a figure",
        f"{uz}: .eval_results/open_asr_leaderboard.yaml: wer 12 on unmapped task monsoon_en_in_wer "
        "(2026-08-20, scored oal-2026-06): no catalog dataset",
    )
    catalog, problems = validate_file(write_drafts(report, str(tmp_path / "drafts.toml")))
    assert [str(p) for p in problems] == []
    drafted = {(c.dataset, c.split, c.value, c.scoring) for c in catalog.models[uz.split("/")[1]].claims if c.scoring}
    assert drafted == {  # dated after the switch to cleaned sets and kaldialign: the current suite's names
        ("ami-cleaned", "test", 30.5, "oal-2026-06"),
        ("open-asr-leaderboard-en-2026-avg", "", 20.25, "oal-2026-06"),
    }
