"""The Open ASR Leaderboard's suites by name: which sets, how they are run and scored.

Read from the leaderboard's scripts at d1e99b2 (2026-08-21): ``nemo_asr/submit_jobs_parakeet.sh``
(English short-form since 2026-07: batch 128), ``nemo_asr/run_longform.sh`` (long-form: batch 1,
``--longform``, i.e. local attention), ``nemo_asr/run_nemo_ml.sh`` (multilingual: batch 64), and at
b45a5d9 for the 2025 eight-set suite behind the catalog's March 2026 snapshot. No script pins a
dataset revision: each set's ``revision`` is ``None`` (the hub's head at download time), which
reports record as unpinned.
"""

from __future__ import annotations

from dataclasses import dataclass

from asr_registry.datasets.oal_sets import ESB, ML, ML_LANGUAGES, OAL


@dataclass(frozen=True)
class SuiteSet:
    """One set of a suite: where it lives on the hub and the catalog name its claims use."""

    hf_id: str
    config: str
    split: str
    name: str
    language: str = "en"
    revision: str | None = None
    chunked: bool = False  # rows carry parent_id/chunk_index: merged per recording before scoring


@dataclass(frozen=True)
class Suite:
    """A named suite and the conditions the leaderboard runs it under."""

    name: str
    description: str
    sets: tuple[SuiteSet, ...]
    batch_size: int
    local_attention: bool
    scoring: str  # the scoring version its figures are comparable with
    source: str


def _en(hf_id: str, rows: str) -> tuple[SuiteSet, ...]:
    """English sets from "config split name" lines."""
    found = []
    for row in rows.strip().splitlines():
        config, split, name = row.split()
        found.append(SuiteSet(hf_id, config, split, name))
    return tuple(found)


_CORAAL = ("ATL", "DCA", "DCB", "DTA", "LES", "PRV", "ROC", "VLD")
SUITES: dict[str, Suite] = {
    s.name: s
    for s in (
        Suite(
            "en-2025",
            "English short-form, the eight ESB sets (the catalog's oal-2026-03 snapshot)",
            _en(
                ESB,
                """
                ami test ami
                earnings22 test earnings22
                gigaspeech test gigaspeech
                librispeech test.clean librispeech
                librispeech test.other librispeech
                spgispeech test spgispeech
                tedlium test tedlium
                voxpopuli test voxpopuli
            """,
            ),
            batch_size=128,
            local_attention=False,
            scoring="oal-2026-03",
            source="open_asr_leaderboard b45a5d9 nemo_asr/run_parakeet.sh",
        ),
        Suite(
            "en-2026",
            "English short-form since 2026-07: cleaned AMI, GigaSpeech, VoxPopuli (AA), Earnings22 cleaned AA "
            "chunked (chunks merged and scored per call)",
            (
                *_en(
                    OAL,
                    """
                    ami_cleaned test ami-cleaned
                    gigaspeech_cleaned test gigaspeech-cleaned
                    voxpopuli_cleaned_aa test voxpopuli-cleaned-aa
                    librispeech test.clean librispeech
                    librispeech test.other librispeech
                    spgispeech test spgispeech
                """,
                ),
                SuiteSet(
                    "ArtificialAnalysis/Earnings22-Cleaned-AA-chunked",
                    "",
                    "test",
                    "earnings22-cleaned-aa",
                    chunked=True,
                ),
            ),
            batch_size=128,
            local_attention=False,
            scoring="oal-2026-06",
            source="open_asr_leaderboard d1e99b2 nemo_asr/submit_jobs_parakeet.sh",
        ),
        Suite(
            "longform-2026",
            "English long-form: Earnings21, Earnings22, TED-LIUM (whole talks and calls) and CORAAL",
            (
                *_en(
                    "hf-audio/asr-leaderboard-longform",
                    """
                    earnings21 test earnings21-longform
                    earnings22 test earnings22-longform
                    tedlium test tedlium-longform
                """,
                ),
                *(SuiteSet("bezzam/coraal", subset, "test", "coraal") for subset in _CORAAL),
            ),
            batch_size=1,
            local_attention=True,
            scoring="oal-2026-06",
            source="open_asr_leaderboard d1e99b2 nemo_asr/run_longform.sh",
        ),
        Suite(
            "multilingual-2026",
            "FLEURS, Common Voice and MLS in de, fr, it, es, pt",
            tuple(
                SuiteSet(ML, f"{family}_{lang}", "test", "covost" if family == "mcv" else family, lang)
                for family, langs in ML_LANGUAGES.items()
                for lang in langs
            ),
            batch_size=64,
            local_attention=False,
            scoring="oal-2026-06",
            source="open_asr_leaderboard d1e99b2 nemo_asr/run_nemo_ml.sh",
        ),
    )
}


class UnknownSuite(KeyError):
    """A suite name that is not in ``SUITES``."""


def suite_named(name: str) -> Suite:
    """The suite called `name` ("en-2026", "en-2025", "longform-2026", "multilingual-2026")."""
    try:
        return SUITES[name]
    except KeyError:
        raise UnknownSuite(f"unknown suite '{name}'; known: {', '.join(SUITES)}") from None


def table() -> list[list[str]]:
    """One row per set: suite, hub id, config, split, revision, catalog name, batch size, scoring."""
    return [
        [s.name, x.hf_id, x.config or "-", x.split, x.revision or "unpinned", x.name, str(s.batch_size), s.scoring]
        for s in SUITES.values()
        for x in s.sets
    ]
