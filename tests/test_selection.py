"""Ranking logic on small catalogs built for each rule, and on the shipped catalog."""

from __future__ import annotations

import pytest

from asr_registry.errors import SelectionError
from asr_registry.schema import Catalog, Claim, ModelEntry, ModelSource, Resources, Tier
from asr_registry.selection import Request, select


def _model(name: str, *, languages=("en",), size="large", params=115_000_000, wer=None, rtfx=None, status="published",
           domains=("general",), streaming=False, memory=None, batch=None) -> ModelEntry:  # fmt: skip
    claims = []
    if wer is not None:
        claims.append(Claim(metric="wer", value=wer, dataset="x", language=languages[0], source="card"))
    if rtfx is not None:
        claims.append(Claim(metric="rtfx", value=rtfx, dataset="x", source="card"))
    return ModelEntry(
        name=name, status=status, source=ModelSource(ngc=name), family="ctc", decoders=("ctc",), size=size,
        languages=tuple(languages), parameters=params, claims=tuple(claims), domains=tuple(domains),
        streaming=streaming, substitutes=("accurate",) if status == "unverified" else (),
        resources=Resources(min_gpu_memory_gb=memory, batch_size=batch or {}, source="card" if batch else ""),
    )  # fmt: skip


def _catalog(*models: ModelEntry) -> Catalog:
    tiers = {"large": Tier("large", Resources(min_gpu_memory_gb=16.0, cpus=4.0, batch_size={8: 16, 16: 32, 24: 64},
                                              source="howto"))}  # fmt: skip
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
    ranked = select(CATALOG, Request(domain="telephony"))
    phone = next(c for c in ranked.candidates if c.model.name == "phone")
    assert "made for telephony" in phone.reasons
    plain = [c.model.name for c in select(CATALOG, Request()).candidates]
    assert [c.model.name for c in ranked.candidates].index("phone") < plain.index("phone")


def test_one_language_prefers_the_dedicated_model_several_need_a_multilingual_one() -> None:
    assert select(CATALOG, Request(languages=("es",))).choice.model.name == "spanish"
    several = select(CATALOG, Request(languages=("es", "de")))
    assert [c.model.name for c in several.candidates] == ["multi"]


def test_streaming_request_keeps_only_streaming_models() -> None:
    assert [c.model.name for c in select(CATALOG, Request(streaming=True)).candidates] == ["live"]


def test_gpu_memory_excludes_models_that_do_not_fit() -> None:
    ranked = select(CATALOG, Request(gpu_memory_gb=8, quality="highest"))
    names = [c.model.name for c in ranked.candidates]
    assert "middle" not in names and "accurate" in names  # middle falls back on the 16 GB large-tier minimum
    assert any(e.model.name == "middle" and "needs 16 GB" in e.reason for e in ranked.excluded)


def test_batch_size_comes_from_the_model_then_its_tier_then_the_default() -> None:
    spanish = select(CATALOG, Request(languages=("es",), gpu_memory_gb=20)).choice
    assert (spanish.batch_size, spanish.batch_size_basis) == (24, "model figure (card)")
    middle = next(c for c in select(CATALOG, Request(gpu_memory_gb=24)).candidates if c.model.name == "middle")
    assert middle.batch_size == 64 and "large-tier guide" in middle.batch_size_basis
    quick = next(c for c in select(CATALOG, Request(gpu_memory_gb=24)).candidates if c.model.name == "quick")
    assert quick.batch_size == 16 and quick.batch_size_basis.startswith("default")


def test_uncovered_language_lists_what_is_available() -> None:
    with pytest.raises(SelectionError, match=r"no model covers language 'fr'; available: de \(German\), en"):
        select(CATALOG, Request(languages=("fr",)))


def test_shipped_catalog_follows_the_howto_language_map() -> None:
    from asr_registry.plugins import builtin_file

    catalog = builtin_file()
    for code in ("en", "es", "de", "fr", "it", "hy"):
        choice = select(catalog, Request(languages=(code,), quality="highest")).choice
        assert choice.model.published and code in choice.model.languages
    several = select(catalog, Request(languages=("en", "es", "de"))).choice
    assert several.model.multilingual and several.model.published
    chinese = select(catalog, Request(languages=("zh",))).choice
    assert chinese.model.published and "zh" in chinese.model.languages
