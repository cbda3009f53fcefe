"""The Open ASR Leaderboard's suites by name: which sets, how they are run and scored.

Read from the leaderboard's scripts at d1e99b2 (2026-08-21): ``nemo_asr/submit_jobs_parakeet.sh``
(English short-form since 2026-07: batch 128), ``nemo_asr/run_longform.sh`` with
``run_eval_long.py --longform`` (long-form: batch 1, local attention [128, 128]),
``nemo_asr/run_nemo_ml.sh`` (multilingual: batch 64), and at b45a5d9 for the 2025 eight-set suite
behind the catalog's March 2026 snapshot. No script pins a dataset revision: each set's
``revision`` is ``None`` (the hub's head at download time), which reports record as unpinned.

A suite's average stands as a measurement under its own dataset name (``average``, ``speed``), so
a figure over one suite is never checked against a claim about another.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from asr_registry.datasets.oal_sets import (
    CORAAL,
    EARNINGS22_CHUNKED,
    ENGLISH_AVERAGE,
    ENGLISH_SPEED,
    ESB,
    LONGFORM,
    ML,
    MULTILINGUAL_AVERAGE,
    MULTILINGUAL_SPEED,
    OAL,
    SETS,
    LeaderboardSet,
)


@dataclass(frozen=True)
class Suite:
    """A named suite and the conditions the leaderboard runs it under."""

    name: str
    description: str
    sets: tuple[LeaderboardSet, ...]
    batch_size: int
    local_attention: bool
    scoring: str  # the scoring version its figures are comparable with
    source: str
    average: str  # dataset name of the suite's mean WER (what the catalog's average claims use)
    speed: str  # dataset name of the suite's total-audio RTFx

    @property
    def multilingual(self) -> bool:
        return any(s.language != "en" for s in self.sets)


def _sets(hf_id: str, keys: Iterable[str] = ()) -> tuple[LeaderboardSet, ...]:
    """The mapped sets of one hub id, all of them or those with the given "name:split" keys, in that order."""
    mine = [s for s in SETS if s.hf_id == hf_id]
    wanted = list(keys)
    if not wanted:
        return tuple(mine)
    return tuple(s for key in wanted for s in mine if s.key == key)


_ENGLISH_2025 = (
    "ami:test",
    "earnings22:test",
    "gigaspeech:test",
    "librispeech:test-clean",
    "librispeech:test-other",
    "spgispeech:test",
    "tedlium:test",
    "voxpopuli:test",
)
_ENGLISH_2026 = (
    "ami-cleaned:test",
    "gigaspeech-cleaned:test",
    "voxpopuli-cleaned-aa:test",
    "librispeech:test-clean",
    "librispeech:test-other",
    "spgispeech:test",
)
SUITES: dict[str, Suite] = {
    s.name: s
    for s in (
        Suite(
            "en-2026",
            "English short-form since 2026-07: cleaned AMI, GigaSpeech, VoxPopuli (AA), Earnings22 cleaned AA "
            "chunked (chunks merged and scored per call)",
            (*_sets(OAL, _ENGLISH_2026), *_sets(EARNINGS22_CHUNKED)),
            batch_size=128,
            local_attention=False,
            scoring="oal-2026-06",
            source="open_asr_leaderboard d1e99b2 nemo_asr/submit_jobs_parakeet.sh",
            average="open-asr-leaderboard-en-2026-avg",
            speed="open-asr-leaderboard-en-2026",
        ),
        Suite(
            "en-2025",
            "English short-form, the eight ESB sets (the catalog's oal-2026-03 snapshot)",
            _sets(ESB, _ENGLISH_2025),
            batch_size=128,
            local_attention=False,
            scoring="oal-2026-03",
            source="open_asr_leaderboard b45a5d9 nemo_asr/run_parakeet.sh",
            average=ENGLISH_AVERAGE,
            speed=ENGLISH_SPEED,
        ),
        Suite(
            "longform-2026",
            "English long-form: Earnings21, Earnings22, TED-LIUM (whole talks and calls) and CORAAL "
            "(its 8 subsets averaged into one figure first)",
            (*_sets(LONGFORM), *_sets(CORAAL)),
            batch_size=1,
            local_attention=True,
            scoring="oal-2026-06",
            source="open_asr_leaderboard d1e99b2 nemo_asr/run_longform.sh, run_eval_long.py",
            average="open-asr-leaderboard-longform-avg",
            speed="open-asr-leaderboard-longform",
        ),
        Suite(
            "multilingual-2026",
            "FLEURS, Common Voice and MLS in de, fr, it, es, pt (the model's languages among them)",
            _sets(ML),
            batch_size=64,
            local_attention=False,
            scoring="oal-2026-06",
            source="open_asr_leaderboard d1e99b2 nemo_asr/run_nemo_ml.sh",
            average=MULTILINGUAL_AVERAGE,
            speed=MULTILINGUAL_SPEED,
        ),
    )
}
# What a bare `--oal` runs: the current English suite for an English model, the multilingual one in
# the model's other languages.
DEFAULT_SUITES = ("en-2026", "multilingual-2026")


class UnknownSuite(KeyError):
    """A suite name that is not in ``SUITES``."""

    def __str__(self) -> str:
        return str(self.args[0])


def suite_named(name: str) -> Suite:
    """The suite called `name` ("en-2026", "en-2025", "longform-2026", "multilingual-2026")."""
    try:
        return SUITES[name]
    except KeyError:
        raise UnknownSuite(f"unknown suite '{name}'; known: {', '.join(SUITES)}") from None


def suites_for(languages: Sequence[str], name: str | None = None) -> list[tuple[Suite, tuple[LeaderboardSet, ...]]]:
    """The suites `--oal [NAME]` runs for a model in `languages`, each with its sets in those languages.

    Without a name: the default suites. A suite with no set in the model's languages is left out.
    """
    chosen = [suite_named(name)] if name else [SUITES[n] for n in DEFAULT_SUITES]
    found = []
    for suite in chosen:
        sets = tuple(s for s in suite.sets if s.language in languages)
        if sets:
            found.append((suite, sets))
    return found


def table() -> list[list[str]]:
    """One row per set: suite, hub id, config, split, revision, catalog name, batch size, scoring."""
    return [
        [s.name, x.hf_id, x.config or "-", x.hf_split, x.revision or "unpinned", x.key, str(s.batch_size), s.scoring]
        for s in SUITES.values()
        for x in s.sets
    ]
