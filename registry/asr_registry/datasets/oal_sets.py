"""The Open ASR Leaderboard's test sets, under the names the catalog's claims use.

The leaderboard (github.com/huggingface/open_asr_leaderboard) reads its sets from the hub: the
English short-form sets from ``hf-audio/esb-datasets-test-only-sorted`` (the set behind the
catalog's ``oal-2026-03`` and ``oal-legacy`` figures; its scripts used it until 2026-07), since
2026-07 from ``hf-audio/open-asr-leaderboard`` (AMI, GigaSpeech and VoxPopuli with cleaned
references, under their own names here so that claims made on the old references are not checked
against them), and the multilingual sets from ``nithinraok/asr-leaderboard-datasets`` (until
2026-07) and ``hf-audio/open-asr-leaderboard-multilingual-datasets`` (configs ``fleurs_de``,
``mcv_de``, ``mls_de``...). Since 2026-08 Earnings22 is ``ArtificialAnalysis/Earnings22-Cleaned-AA-chunked``
(chunks of six calls, scored per call against ``Earnings22-Cleaned-AA``), and the long-form sets
are ``hf-audio/asr-leaderboard-longform`` and ``bezzam/coraal`` (8 subsets). The catalog calls the
leaderboard's Common Voice column ``covost``. Which sets make up each suite, and how each is run
and scored, is ``oal_suites``.

The leaderboard scores English sets with its copy of Whisper's English normaliser and the others
with its basic multilingual normaliser, drops references that normalise to nothing, averages the
per-set WERs without weights and divides total audio by total inference time for RTFx.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

ESB = "hf-audio/esb-datasets-test-only-sorted"
OAL = "hf-audio/open-asr-leaderboard"
ML_OLD = "nithinraok/asr-leaderboard-datasets"
ML = "hf-audio/open-asr-leaderboard-multilingual-datasets"
LONGFORM = "hf-audio/asr-leaderboard-longform"
CORAAL = "bezzam/coraal"
EARNINGS22_CHUNKED = "ArtificialAnalysis/Earnings22-Cleaned-AA-chunked"
EARNINGS22_CLEANED = "ArtificialAnalysis/Earnings22-Cleaned-AA"  # one reference per call for the chunks
# What a chunked set's rows carry into the manifest, so chunks can be merged per recording at scoring.
CHUNK_COLUMNS = ("parent_id", "chunk_index")
ENGLISH_AVERAGE = "open-asr-leaderboard-avg"
ENGLISH_SPEED = "open-asr-leaderboard"
MULTILINGUAL_AVERAGE = "open-asr-leaderboard-multilingual-avg"
MULTILINGUAL_SPEED = "open-asr-leaderboard-multilingual"
ML_LANGUAGES = {
    "fleurs": ("de", "fr", "it", "es", "pt"),
    "mcv": ("de", "es", "fr", "it"),
    "mls": ("es", "fr", "it", "pt"),
}
ML_NAMES = {"fleurs": "fleurs", "mcv": "covost", "mls": "mls"}


@dataclass(frozen=True)
class LeaderboardSet:
    """One (hub id, config, split) and the catalog dataset it is."""

    hf_id: str
    config: str
    hf_split: str
    name: str  # catalog dataset name, e.g. "librispeech"
    split: str  # catalog split, e.g. "test-clean"
    language: str
    revision: str | None = None  # None: the hub's head at download time (no leaderboard script pins one)
    # Chunked sets (the current Earnings22) hold chunks of whole recordings: rows carry parent_id and
    # chunk_index, the reference is the recording's (from `parent`), and scoring merges the chunks.
    chunked: bool = False
    parent: str = ""

    @property
    def key(self) -> str:
        return f"{self.name}:{self.split}"

    @property
    def folder(self) -> str:
        """Where `--oal-data DIR` holds its copy: DIR/FOLDER/SPLIT (the config, else the catalog name)."""
        return self.config or self.name


def _english(hf_id: str, configs: Sequence[tuple[str, str, str, str]]) -> list[LeaderboardSet]:
    return [LeaderboardSet(hf_id, config, hf_split, name, split, "en") for config, hf_split, name, split in configs]


_ESB_SETS = (
    ("ami", "test", "ami", "test"),
    ("earnings22", "test", "earnings22", "test"),
    ("gigaspeech", "test", "gigaspeech", "test"),
    ("librispeech", "test.clean", "librispeech", "test-clean"),
    ("librispeech", "test.other", "librispeech", "test-other"),
    ("spgispeech", "test", "spgispeech", "test"),
    ("tedlium", "test", "tedlium", "test"),
    ("voxpopuli", "test", "voxpopuli", "test"),
)
_OAL_SETS = (
    ("ami_cleaned", "test", "ami-cleaned", "test"),
    ("earnings22", "test", "earnings22", "test"),
    ("gigaspeech_cleaned", "test", "gigaspeech-cleaned", "test"),
    ("librispeech", "test.clean", "librispeech", "test-clean"),
    ("librispeech", "test.other", "librispeech", "test-other"),
    ("spgispeech", "test", "spgispeech", "test"),
    ("voxpopuli_cleaned_aa", "test", "voxpopuli-cleaned-aa", "test"),
)


_LONGFORM_SETS = (
    ("earnings21", "test", "earnings21-longform", "test"),
    ("earnings22", "test", "earnings22-longform", "test"),
    ("tedlium", "test", "tedlium-longform", "test"),
)
CORAAL_SUBSETS = ("ATL", "DCA", "DCB", "DTA", "LES", "PRV", "ROC", "VLD")


def _multilingual(hf_id: str) -> list[LeaderboardSet]:
    return [
        LeaderboardSet(hf_id, f"{family}_{lang}", "test", ML_NAMES[family], "test", lang)
        for family, langs in ML_LANGUAGES.items()
        for lang in langs
    ]


SETS: tuple[LeaderboardSet, ...] = (
    *_english(ESB, _ESB_SETS),
    # Common Voice 9 was in the first leaderboard and left it; kept so that its id maps
    LeaderboardSet(ESB, "common_voice", "test", "mcv-9.0", "test", "en"),
    *_english(OAL, _OAL_SETS),
    LeaderboardSet(
        EARNINGS22_CHUNKED, "", "test", "earnings22-cleaned-aa", "test", "en", chunked=True, parent=EARNINGS22_CLEANED
    ),
    *_english(LONGFORM, _LONGFORM_SETS),
    *(LeaderboardSet(CORAAL, subset, "test", "coraal", "test", "en") for subset in CORAAL_SUBSETS),
    *_multilingual(ML_OLD),
    *_multilingual(ML),
)


def lookup(hf_id: str, config: str | None, hf_split: str | None) -> LeaderboardSet | None:
    """The leaderboard set behind a hub id, config and split (ids compare case-insensitively)."""
    for entry in SETS:
        if entry.hf_id.lower() == hf_id.lower() and entry.config == (config or "") and entry.hf_split == hf_split:
            return entry
    return None


def configs_of(hf_id: str) -> list[LeaderboardSet]:
    return [entry for entry in SETS if entry.hf_id.lower() == hf_id.lower()]


def strip_reference(text: str, normalised: str) -> str:
    """Why the leaderboard does not score a reference ('' when it does)."""
    if not normalised.strip():
        return "reference is empty after normalisation (the leaderboard drops these)"
    if normalised.strip() == "ignore time segment in scoring":
        return "reference marks a segment not to score (the leaderboard drops these)"
    return ""


def merge_chunks(
    rows: list[dict[str, Any]], ref_key: str = "text", pred_key: str = "pred_text"
) -> list[dict[str, Any]]:
    """One row per recording for chunked sets: predictions joined in chunk order, durations summed.

    The leaderboard's ``merge_chunked_manifest`` (normalizer/eval_utils.py at d1e99b2): rows without
    ``parent_id`` come back unchanged; recordings in id order; empty predictions left out of the join.
    """
    if "parent_id" not in rows[0]:
        return rows
    sessions: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        sessions.setdefault(str(row["parent_id"]), []).append(row)
    merged = []
    for parent in sorted(sessions):
        chunks = sorted(sessions[parent], key=lambda r: r["chunk_index"])
        durations: list[float | None] = [c.get("duration") for c in chunks]
        known = [d for d in durations if d is not None]
        merged.append(
            {
                "id": parent,
                "audio_filepath": parent,
                "duration": sum(known) if len(known) == len(durations) else None,
                ref_key: chunks[0][ref_key],
                pred_key: " ".join(p for c in chunks if (p := (c[pred_key] or "").strip())),
            }
        )
    return merged
