"""The Open ASR Leaderboard's test sets, under the names the catalog's claims use.

The leaderboard (github.com/huggingface/open_asr_leaderboard) reads its sets from the hub: the
English short-form sets from ``hf-audio/esb-datasets-test-only-sorted`` (the set behind the
catalog's ``oal-2026-03`` and ``oal-legacy`` figures; its scripts used it until 2026-07), since
2026-07 from ``hf-audio/open-asr-leaderboard`` (AMI, GigaSpeech and VoxPopuli with cleaned
references, under their own names here so that claims made on the old references are not checked
against them), and the multilingual sets from ``nithinraok/asr-leaderboard-datasets`` (until
2026-07) and ``hf-audio/open-asr-leaderboard-multilingual-datasets`` (configs ``fleurs_de``,
``mcv_de``, ``mls_de``...). The catalog calls the leaderboard's Common Voice column ``covost``.

The leaderboard scores English sets with its copy of Whisper's English normaliser and the others
with its basic multilingual normaliser, drops references that normalise to nothing, averages the
per-set WERs without weights and divides total audio by total inference time for RTFx.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

ESB = "hf-audio/esb-datasets-test-only-sorted"
OAL = "hf-audio/open-asr-leaderboard"
ML_OLD = "nithinraok/asr-leaderboard-datasets"
ML = "hf-audio/open-asr-leaderboard-multilingual-datasets"
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
    in_average: bool = True  # one of the sets the leaderboard averages

    @property
    def key(self) -> str:
        return f"{self.name}:{self.split}"

    @property
    def normalizer(self) -> str:
        return "leaderboard-english" if self.language == "en" else "leaderboard-basic"


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


def _multilingual(hf_id: str) -> list[LeaderboardSet]:
    return [
        LeaderboardSet(hf_id, f"{family}_{lang}", "test", ML_NAMES[family], "test", lang)
        for family, langs in ML_LANGUAGES.items()
        for lang in langs
    ]


SETS: tuple[LeaderboardSet, ...] = (
    *_english(ESB, _ESB_SETS),
    # Common Voice 9 was in the first leaderboard and left it; kept so that its id maps
    LeaderboardSet(ESB, "common_voice", "test", "mcv-9.0", "test", "en", in_average=False),
    *_english(OAL, _OAL_SETS),
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


def suite(languages: Iterable[str], english_id: str = ESB, multilingual_id: str = ML) -> list[LeaderboardSet]:
    """The sets `--oal` runs for a model: the English average's sets, or the multilingual ones in its languages."""
    wanted = set(languages)
    chosen = [e for e in SETS if e.hf_id == english_id and e.in_average] if "en" in wanted else []
    chosen += [e for e in SETS if e.hf_id == multilingual_id and e.language in wanted]
    return chosen


def strip_reference(text: str, normalised: str) -> str:
    """Why the leaderboard does not score a reference ('' when it does)."""
    if not normalised.strip():
        return "reference is empty after normalisation (the leaderboard drops these)"
    if normalised.strip() == "ignore time segment in scoring":
        return "reference marks a segment not to score (the leaderboard drops these)"
    return ""
