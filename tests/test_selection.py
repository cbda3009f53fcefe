"""Ranking logic on small catalogs built for each rule, and on the shipped catalog."""

from __future__ import annotations

from dataclasses import replace

import pytest

from asr_registry.catalog.schema import Catalog, Claim, ModelEntry, Resources, Tier
from asr_registry.errors import SelectionError
from asr_registry.selection.ranking import Request, select
from tests.support import catalog_entry


def _model(
    name: str,
    *,
    languages=("en",),
    size="large",
    params=115_000_000,
    wer=None,
    rtfx=None,
    status="published",
    domains=("general",),
    streaming=False,
    memory=None,
    batch=None,
) -> ModelEntry:
    claims = []
    if wer is not None:
        claims.append(Claim(metric="wer", value=wer, dataset="x", language=languages[0], source="card"))
    if rtfx is not None:
        claims.append(Claim(metric="rtfx", value=rtfx, dataset="x", source="card"))
    return catalog_entry(
        name,
        status=status,
        size=size,
        languages=tuple(languages),
        parameters=params,
        claims=tuple(claims),
        domains=tuple(domains),
        streaming=streaming,
        substitutes=("accurate",) if status == "unverified" else (),
        precision="bf16",
        resources=Resources(min_gpu_memory_gb=memory, batch_size=batch or {}, source="card" if batch or memory else ""),
    )


def _catalog(*models: ModelEntry) -> Catalog:
    tiers = {
        "large": Tier(
            "large", Resources(min_gpu_memory_gb=16.0, cpus=4.0, batch_size={8: 16, 16: 32, 24: 64}, source="howto")
        )
    }
    return Catalog({m.name: m for m in models}, {}, tiers)


CATALOG = _catalog(
    _model("accurate", wer=5.0, rtfx=1000, params=600_000_000, size="xlarge", memory=6.0),
    _model("quick", wer=9.0, rtfx=8000, params=30_000_000, size="small", memory=4.0),
    _model("middle", wer=7.0, rtfx=4000),
    _model("ghost", wer=1.0, rtfx=99999, status="unverified", domains=("telephony",)),
    _model("phone", wer=8.0, rtfx=3000, domains=("telephony",)),
    _model("multi", languages=("en", "es", "de"), wer=8.5, rtfx=3000, params=120_000_000),
    _model("spanish", languages=("es",), wer=6.0, rtfx=3000, batch={8: 8, 16: 24}),
    _model("live", wer=7.5, rtfx=3000, streaming=True),
)


def test_highest_quality_takes_the_lowest_wer() -> None:
    assert select(CATALOG, Request(quality="highest")).choice.model.name == "accurate"


def test_fastest_takes_the_highest_rtfx() -> None:
    assert select(CATALOG, Request(quality="fastest")).choice.model.name == "quick"


def test_a_large_dataset_leans_balanced_towards_speed() -> None:
    small = [c.model.name for c in select(CATALOG, Request(hours=10)).candidates]
    large = [c.model.name for c in select(CATALOG, Request(hours=5000)).candidates]
    assert small.index("quick") > large.index("quick")
    assert "leaning to speed" in select(CATALOG, Request(hours=5000)).notes[0]


def test_unverified_is_never_chosen_unless_allowed_and_then_flagged() -> None:
    chosen = select(CATALOG, Request(domain="telephony", quality="highest"))
    assert "ghost" not in [c.model.name for c in chosen.candidates]
    assert any(e.model.name == "ghost" and "unverified" in e.reason for e in chosen.excluded)
    allowed = select(CATALOG, Request(domain="telephony", quality="highest", allow_unverified=True))
    assert allowed.choice.model.name == "ghost"
    assert "UNVERIFIED: not a published checkpoint" in allowed.choice.reasons


def test_domain_models_are_preferred_and_say_why() -> None:
    twin = _catalog(*CATALOG.models.values(), _model("twin", wer=8.0, rtfx=3000))  # phone's figures, general
    ranked = [c.model.name for c in select(twin, Request(domain="telephony")).candidates]
    assert ranked.index("phone") < ranked.index("twin")
    phone = next(c for c in select(twin, Request(domain="telephony")).candidates if c.model.name == "phone")
    assert "made for telephony" in phone.reasons


def test_a_model_made_only_for_one_domain_is_never_offered_for_another() -> None:
    plain = select(CATALOG, Request())
    assert "phone" not in [c.model.name for c in plain.candidates]
    assert any(
        e.model.name == "phone" and e.reason == "made for telephony only, not for general audio" for e in plain.excluded
    )
    both = _catalog(*CATALOG.models.values(), _model("phone_too", wer=8.0, rtfx=3000, domains=("general", "telephony")))
    assert "phone_too" in [c.model.name for c in select(both, Request()).candidates]


@pytest.mark.parametrize("quality", ["highest", "balanced", "fastest"])
def test_a_plugins_toy_claiming_a_low_wer_is_not_offered_for_general_audio(quality: str) -> None:
    toy = replace(_model("toy", size="tiny", params=800_000, wer=2.0, rtfx=90_000, domains=("digits",)), plugin="acme")
    catalog = _catalog(*CATALOG.models.values(), toy)
    ranked = select(catalog, Request(quality=quality))  # type: ignore[arg-type]
    assert "toy" not in [c.model.name for c in ranked.candidates]
    for_digits = select(catalog, Request(domain="digits", quality=quality))  # type: ignore[arg-type]
    assert for_digits.choice.model.name == "toy"  # eligible where it belongs, on its own (plugin's) claims


def test_one_language_prefers_the_dedicated_model_several_need_a_multilingual_one() -> None:
    assert select(CATALOG, Request(languages=("es",))).choice.model.name == "spanish"
    several = select(CATALOG, Request(languages=("es", "de")))
    assert [c.model.name for c in several.candidates] == ["multi"]


def test_streaming_request_keeps_only_streaming_models() -> None:
    assert [c.model.name for c in select(CATALOG, Request(streaming=True)).candidates] == ["live"]


def test_gpu_memory_excludes_models_that_do_not_fit_and_says_on_what_basis() -> None:
    ranked = select(CATALOG, Request(gpu_memory_gb=5, quality="highest"))
    names = [c.model.name for c in ranked.candidates]
    assert "accurate" not in names and "quick" in names
    assert any(
        e.model.name == "accurate" and e.reason == "needs 6 GB GPU memory (model figure (catalog: card)), 5 GB given"
        for e in ranked.excluded
    )
    # No figure: the parameter count gives the estimate, which names itself.
    middle = next(c for c in ranked.candidates if c.model.name == "middle")
    assert middle.sizing.known_to_fit and middle.sizing.memory_basis.startswith("estimated from 115M parameters")
    assert middle.sizing.gpu_memory_gb <= 5


def test_without_a_parameter_count_the_need_is_unknown_never_the_size_tier_guide() -> None:
    tiered = _catalog(_model("tiered", params=None, wer=5.0, rtfx=2000), _model("other", wer=9.0, rtfx=3000))
    ranked = select(tiered, Request(gpu_memory_gb=8))
    # The large tier's how-to guide (16 GB) is a claim to check: it neither excludes nor sizes the model.
    assert [c.model.name for c in ranked.candidates] == ["other", "tiered"] and not ranked.excluded
    tiered_candidate = ranked.candidates[1]
    assert tiered_candidate.sizing.fit == "unknown" and tiered_candidate.sizing.gpu_memory_gb is None
    assert "howto" not in tiered_candidate.sizing.memory_basis + tiered_candidate.sizing.batch_basis
    assert tiered_candidate.sizing.cpus is None  # nor the large tier's 4 CPUs


def test_a_600m_model_without_a_figure_is_not_chosen_over_one_known_to_fit() -> None:
    catalog = _catalog(
        _model("big", size="xlarge", params=600_000_000, wer=6.0, rtfx=3400),
        _model("small_fits", size="small", params=13_000_000, wer=11.0, rtfx=5700, memory=1.5),
        _model("mystery", size="tiny", params=None, wer=4.0, rtfx=9000),  # no figure, no memory model, no count
    )
    ranked = select(catalog, Request(gpu_memory_gb=2, quality="highest"))
    assert ranked.choice.model.name == "small_fits" and ranked.choice.sizing.known_to_fit
    big = next(e for e in ranked.excluded if e.model.name == "big")
    # 600M weights at bf16 under autocast: 6 bytes each (fp32 + the bf16 copy) = 3.6 GB.
    assert big.reason.startswith(
        "needs 2.35 GB GPU memory (estimated from 600M parameters: weights 1.20 GB (2 B each, weights cast to bf16"
    )
    # The unknown one has the best WER, yet it is ranked after every model known to fit, and says why.
    mystery = ranked.candidates[-1]
    assert mystery.model.name == "mystery" and mystery.sizing.fit == "unknown"
    assert any(
        r.startswith("GPU memory need unknown (no measured figure, no memory model, no parameter count)")
        for r in mystery.reasons
    )
    alone = select(_catalog(catalog.models["mystery"]), Request(gpu_memory_gb=2))
    assert any(n.startswith("no model is known to fit 2 GB") for n in alone.notes)


def test_an_xlarge_model_without_figures_is_unknown_not_bounded_by_the_large_tier() -> None:
    catalog = _catalog(_model("xl", size="xlarge", params=None, wer=5.0), _model("ok", wer=9.0))
    for gpu in (8, 24):
        ranked = select(catalog, Request(gpu_memory_gb=gpu))
        assert [c.model.name for c in ranked.candidates] == ["ok", "xl"]  # xl: need unknown, so after the known fit
        assert ranked.candidates[1].sizing.fit == "unknown" and not ranked.candidates[1].sizing.lower_bound


def test_nothing_fits_names_the_smallest_need() -> None:
    with pytest.raises(
        SelectionError,
        match=r"^no model fits 1 GB of GPU memory; the smallest need among the 5 "
        r"matching model\(s\) is middle's: 1.38 GB: estimated from 115M",
    ):
        select(CATALOG, Request(gpu_memory_gb=1))


def test_batch_size_comes_from_a_measured_figure_then_the_estimate_capped_at_the_protocol_batch() -> None:
    spanish = select(CATALOG, Request(languages=("es",), gpu_memory_gb=20)).choice
    assert (spanish.batch_size, spanish.sizing.batch.basis) == (24, "measured")
    assert spanish.sizing.batch_basis == "model batch figure for 20 GB (catalog: card)"
    on_24 = {c.model.name: c for c in select(CATALOG, Request(gpu_memory_gb=24)).candidates}
    # 132 utterances of 20 s would fit: the batch stops at the leaderboard's 128 (never the large tier's guide, 64).
    assert on_24["middle"].batch_size == 128 and on_24["middle"].sizing.batch.basis == "protocol"
    assert "135 utterances of 20 s would fit 24 GB" in on_24["middle"].sizing.batch_basis
    assert on_24["quick"].batch_size == 128
    big = select(_catalog(_model("big", size="xlarge", params=600_000_000, wer=6.0)), Request(gpu_memory_gb=80)).choice
    # 600M x 2 B (weights cast to bf16) + 1 GB runtime + 0.15 GB per utterance.
    assert big.batch_size == 128 and big.sizing.gpu_memory_gb == pytest.approx(1.2 + 1.0 + 0.15 * 128)
    # On 8 GB the largest batch whose estimate fits 90% of it: (7.2 - 1 - 1.2) / 0.15 = 33.
    on_8 = select(_catalog(_model("big", size="xlarge", params=600_000_000)), Request(gpu_memory_gb=8)).choice
    assert (on_8.batch_size, on_8.sizing.batch.basis) == (33, "parameters")


def test_a_multilingual_model_stops_at_the_leaderboards_multilingual_batch() -> None:
    multi = select(CATALOG, Request(languages=("es", "de"), gpu_memory_gb=80)).choice
    assert multi.model.name == "multi" and multi.batch_size == 64 and multi.sizing.batch.basis == "protocol"


def test_a_speed_estimate_is_used_only_inside_the_range_it_was_fitted_on() -> None:
    catalog = _catalog(
        *CATALOG.models.values(),
        _model("toy", size="tiny", params=800_000, wer=2.0),  # no ctc tiny peers with a speed claim
        _model("mid", params=200_000_000),
    )
    ranked = {c.model.name: c for c in select(catalog, Request(quality="fastest")).candidates}
    assert ranked["toy"].rtfx is None
    assert "0.8M parameters is outside the 30M-600M the estimate was fitted on" in ranked["toy"].rtfx_basis
    assert ranked["mid"].rtfx is not None and ranked["mid"].rtfx_basis == "estimated from 200M parameters"


def test_a_plugins_claims_are_labelled_as_the_plugins_and_do_not_calibrate_estimates() -> None:
    plugin_model = replace(_model("acme", params=100_000_000, wer=2.0, rtfx=99_000), plugin="acme")
    with_plugin = _catalog(*CATALOG.models.values(), plugin_model, _model("mid", params=200_000_000))
    without = _catalog(*CATALOG.models.values(), _model("mid", params=200_000_000))
    ranked = {c.model.name: c for c in select(with_plugin, Request()).candidates}
    assert "claimed by plugin 'acme', not the catalog" in ranked["acme"].error_basis
    assert "claimed by plugin 'acme', not the catalog" in ranked["acme"].rtfx_basis
    assert ranked["mid"].rtfx == next(c.rtfx for c in select(without, Request()).candidates if c.model.name == "mid")


def test_cer_languages_rank_on_cer_claims_never_on_a_wer_range() -> None:
    from asr_registry.metrics.normalize import CHARACTER_LANGUAGES
    from asr_registry.selection.ranking import CER_LANGUAGES

    assert CER_LANGUAGES == CHARACTER_LANGUAGES
    claims = (
        Claim(metric="cer", value=5.5, dataset="aishell", source="card"),
        Claim(metric="wer", value=1.0, dataset="x", language="zh", source="card"),
    )
    scored = replace(_model("zh_scored", languages=("zh",)), claims=claims)
    catalog = _catalog(scored, _model("zh_unscored", languages=("zh",)))
    ranked = select(catalog, Request(languages=("zh",), quality="highest"))
    by_name = {c.model.name: c for c in ranked.candidates}
    assert by_name["zh_scored"].error_metric == "cer" and by_name["zh_scored"].error_rate == 5.5
    # No zh figure of its own: its ctc large peer's CER, never the large tier's 4-7% WER range.
    assert by_name["zh_unscored"].error_rate == 5.5 and "ctc large" in by_name["zh_unscored"].error_basis
    assert "tier" not in by_name["zh_unscored"].error_basis
    assert ranked.choice.model.name == "zh_scored"  # its own figure ranks ahead of the same figure borrowed
    alone = select(_catalog(_model("zh_unscored", languages=("zh",))), Request(languages=("zh",)))
    assert alone.choice.error_rate is None and alone.choice.error_basis.startswith("unknown: no zh CER figure")


def test_uncovered_language_lists_what_is_available() -> None:
    with pytest.raises(SelectionError, match=r"no model covers language 'fr'; available: de \(German\), en"):
        select(CATALOG, Request(languages=("fr",)))


def test_shipped_catalog_follows_the_howto_language_map() -> None:
    from asr_registry.plugins.catalog_files import builtin_file

    catalog = builtin_file()
    for code in ("en", "es", "de", "fr", "it", "hy"):
        choice = select(catalog, Request(languages=(code,), quality="highest")).choice
        assert choice.model.published and code in choice.model.languages
    several = select(catalog, Request(languages=("en", "es", "de"))).choice
    assert several.model.multilingual and several.model.published
    chinese = select(catalog, Request(languages=("zh",))).choice
    assert chinese.model.published and "zh" in chinese.model.languages


@pytest.fixture(scope="module")
def catalog_with_digits() -> Catalog:
    """The shipped catalog plus every installed plugin's: the digits plugin must be among them."""
    from asr_registry.plugins.manager import get_catalog

    catalog = get_catalog()
    assert {"digits_hybrid", "digits_ctc"} <= set(catalog.models), "the asr-registry-digits plugin is not loaded"
    return catalog


@pytest.mark.parametrize("gpu", [1, 2, 4, 8, 16, 24, 80])
@pytest.mark.parametrize("hours", [0, 10, 5000])
@pytest.mark.parametrize("quality", ["highest", "balanced", "fastest"])
def test_a_digits_model_is_never_offered_for_general_english(
    catalog_with_digits: Catalog, quality: str, hours: float, gpu: float
) -> None:
    request = Request(languages=("en",), quality=quality, hours=hours, gpu_memory_gb=gpu)  # type: ignore[arg-type]
    try:
        ranked = select(catalog_with_digits, request)
    except SelectionError as exc:
        assert gpu == 1 and str(exc).startswith("no model fits 1 GB of GPU memory")  # 1 GB: the runtime alone
        return
    assert not [c.model.name for c in ranked.candidates if "digits" in c.model.domains]
    assert {e.reason for e in ranked.excluded if e.model.plugin == "digits"} == {
        "made for digits only, not for general audio"
    }


def test_digits_models_are_ranked_for_digits_audio(catalog_with_digits: Catalog) -> None:
    ranked = select(catalog_with_digits, Request(domain="digits"))
    digits = [c for c in ranked.candidates if c.model.plugin == "digits"]
    assert {c.model.name for c in digits} == {
        "digits_hybrid",
        "digits_ctc",
        "digits_tdt",
        "digits_aed",
        "digits_streaming",
    }
    for candidate in digits:
        assert candidate.rtfx is None and "outside the" in candidate.rtfx_basis  # 0.8M: below the fitted sizes
        assert "claimed by plugin 'digits', not the catalog" in candidate.error_basis


@pytest.mark.parametrize("gpu", [2, 3, 4, 6])
def test_small_gpus_get_a_model_known_to_fit(catalog_with_digits: Catalog, gpu: float) -> None:
    choice = select(catalog_with_digits, Request(languages=("en",), gpu_memory_gb=gpu, quality="highest")).choice
    assert choice.sizing.known_to_fit and choice.sizing.gpu_memory_gb is not None
    assert choice.sizing.gpu_memory_gb <= gpu
    if gpu == 2:  # a 600M model cast to bf16 needs 1.2 GB of weights + 1 GB of runtime: it cannot be the choice
        assert (choice.model.parameters or 0) < 600_000_000
