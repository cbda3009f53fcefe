"""Chunked leaderboard sets: chunks of whole recordings, scored per recording.

The current Earnings22 (``ArtificialAnalysis/Earnings22-Cleaned-AA-chunked``) holds 341 chunks of
six calls with no transcripts: each chunk names its call (``parent_id``) and place in it
(``chunk_index``), the audio lies in the repository's ``audio/`` folder under ``file_name``, and
the references are one per call in the parent set (``Earnings22-Cleaned-AA``). As the
leaderboard's ``load_chunked_data`` does (normalizer/data_utils.py at d1e99b2), each chunk gets
its call's reference as ``text``; scoring then joins a call's hypotheses (``oal_sets.merge_chunks``).

``--limit N`` draws whole calls (seeded) until at least N chunks are in: a call with chunks
missing would count their words as deleted.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from asr_registry.datasets.hf import TEXT_COLUMNS, HfSpec, hub_offline, load_split, pick_split
from asr_registry.datasets.oal_sets import CHUNK_COLUMNS, LeaderboardSet
from asr_registry.errors import RegistryError, first_line

AUDIO_FOLDER = "audio"


def _rows(spec: HfSpec) -> list[Mapping[str, Any]]:
    """Every row of the split, audio left encoded (``{"bytes", "path"}``: nothing is decoded here)."""
    from datasets import Audio

    data, _ = load_split(spec)
    data, _ = pick_split(data, spec)
    features = data.features or {}
    if isinstance(features.get("audio"), Audio):
        data = data.cast_column("audio", Audio(decode=False))
    return list(data)


def _audio_root(hf_id: str) -> Path:
    """The folder holding the chunks' audio: the set itself when local, else its hub snapshot (cache only offline)."""
    if Path(hf_id).expanduser().is_dir():
        return Path(hf_id).expanduser()
    from huggingface_hub import snapshot_download

    try:
        folder = snapshot_download(
            repo_id=hf_id, repo_type="dataset", allow_patterns=[f"{AUDIO_FOLDER}/*"], local_files_only=hub_offline()
        )
    except Exception as exc:  # offline and not cached, or the hub unreachable: one line, never a traceback
        raise RegistryError(f"--oal: cannot fetch the audio of {hf_id} ({first_line(exc)})") from None
    return Path(folder)


def calls_sample(rows: list[Mapping[str, Any]], limit: int | None, seed: int) -> list[Mapping[str, Any]]:
    """Whole calls drawn at random (fixed seed) until at least `limit` chunks are in; all rows without a limit."""
    if limit is None or limit >= len(rows):
        return rows
    calls = sorted({str(r["parent_id"]) for r in rows})
    random.Random(seed).shuffle(calls)
    chosen: set[str] = set()
    count = 0
    for call in calls:
        if count >= limit:
            break
        chosen.add(call)
        count += sum(1 for r in rows if str(r["parent_id"]) == call)
    return [r for r in rows if str(r["parent_id"]) in chosen]


def write_chunked(board: LeaderboardSet, folder: Path, limit: int | None, seed: int, source: str | None = None) -> Path:
    """The chunked set with each chunk's call reference as ``text``, saved under `folder` (``save_to_disk``)
    for the usual reading path. `source`: a local copy of the chunked set already holding ``text``."""
    from datasets import Audio, Dataset

    if source is not None:
        rows = _rows(HfSpec(source))
    else:
        parents = _rows(HfSpec(board.parent, split=board.hf_split))
        text_column = next((c for c in TEXT_COLUMNS if parents and c in parents[0]), None)
        if text_column is None:
            raise RegistryError(f"--oal: {board.parent} has no reference column ({'/'.join(TEXT_COLUMNS)})")
        references = {str(p["id"]): p[text_column] for p in parents}
        root = _audio_root(board.hf_id) / AUDIO_FOLDER
        rows = []
        for row in _rows(HfSpec(board.hf_id, split=board.hf_split)):
            call = str(row["parent_id"])
            if call not in references:
                raise RegistryError(f"--oal: {board.parent} has no reference for call {call} of {board.hf_id}")
            rows.append({**row, "audio": str(root / str(row["file_name"])), "text": references[call]})
    missing = [c for c in (*CHUNK_COLUMNS, "text", "audio") if rows and c not in rows[0]]
    if missing:
        raise RegistryError(f"--oal: the chunked set {source or board.hf_id} lacks {', '.join(missing)}")
    rows = calls_sample(rows, limit, seed)
    columns = {
        "id": [str(r.get("id", f"{r['parent_id']}-{r['chunk_index']}")) for r in rows],
        "audio": [r["audio"] for r in rows],
        "text": [r["text"] for r in rows],
        **{c: [r[c] for r in rows] for c in CHUNK_COLUMNS},
    }
    target = folder / "chunked-source"
    Dataset.from_dict(columns).cast_column("audio", Audio(decode=False)).save_to_disk(str(target))
    return target
