"""Hugging Face datasets as bench and transcribe input.

A dataset is read with its audio column cast to ``Audio(decode=False)``, so each row yields the
file's own encoded bytes (FLAC, WAV, MP3 as stored on the hub) rather than an array decoded by
the ``datasets`` library. ``materialise`` writes those bytes unchanged to a folder beside a NeMo
manifest, and the engine then probes, decodes, downmixes and resamples them on its own path, as
for any manifest: the same audio gives the same samples and so the same transcripts whether it
came from a manifest or from a dataset, and no decoder (``torchcodec``) beyond soundfile is
needed. The Open ASR Leaderboard's NeMo harness feeds NeMo the same way, through files.
Rows are written one by one as the (possibly streamed) dataset is iterated, so ``--limit N``
fetches only what it uses.

Where the data comes from:
- a folder written by ``save_to_disk`` (``load_from_disk``), or any local folder or file that
  ``load_dataset`` reads (parquet, audiofolder);
- a hub id: streamed from the hub when there is network, read from the local HF cache when
  ``HF_HUB_OFFLINE``/``HF_DATASETS_OFFLINE`` is set. Offline, an id that is not cached is a
  one-line error; the hub is never contacted.
"""

from __future__ import annotations

import io
import json
import os
import random
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asr_registry.errors import RegistryError, first_line

# The leaderboard's harness tries these in this order (normalizer/data_utils.py: get_text).
TEXT_COLUMNS = ("text", "sentence", "normalized_text", "transcript", "transcription")
# Kept in every output row, so a prediction can be traced back to its dataset row.
ID_COLUMNS = ("id", "file_name", "segment_id", "audio_id", "utt_id", "key", "path")
# A streamed --limit sample is drawn from a shuffle buffer this many times the sample size (at least 1000 rows).
STREAM_BUFFER_FACTOR = 10
_SOUND_SUFFIXES = {".wav", ".flac", ".mp3", ".ogg", ".opus", ".aiff", ".aif", ".au", ".w64", ".caf"}


def hub_offline() -> bool:
    """True when the user told the HF libraries not to contact the hub."""
    return any(
        os.environ.get(key, "").strip().lower() in ("1", "true", "yes", "on")
        for key in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE")
    )


@dataclass(frozen=True)
class HfSpec:
    """What the user asked for: ``--hf-dataset ID [--config C] [--split S] [--text-column T] [--limit N]``."""

    id: str
    config: str | None = None
    split: str | None = None
    text_column: str | None = None
    limit: int | None = None
    seed: int = 0
    revision: str | None = None  # a hub dataset's commit, tag or branch (None: its main branch)

    @property
    def label(self) -> str:
        parts = (
            self.id,
            self.config and f"config={self.config}",
            self.split and f"split={self.split}",
            self.revision and f"revision={self.revision}",
        )
        return " ".join(p for p in parts if p)


@dataclass(frozen=True)
class OpenedDataset:
    """A dataset ready to iterate: rows are dicts whose audio value is ``{"bytes", "path"}`` (or an array)."""

    spec: HfSpec
    rows: Iterable[Mapping[str, Any]] = field(repr=False)
    split: str
    audio_column: str
    text_column: str
    id_column: str | None
    streaming: bool
    size: int | None  # rows selected, when known before iterating


@dataclass(frozen=True)
class DroppedRow:
    index: int
    row_id: str
    reason: str


@dataclass(frozen=True)
class Materialised:
    manifest: Path
    rows: int
    dropped: tuple[DroppedRow, ...]


def _is_local(dataset_id: str) -> bool:
    return Path(dataset_id).expanduser().exists()


def load_split(spec: HfSpec) -> tuple[Any, bool]:
    """(dataset or dataset dict, streaming?) for the spec; one-line errors for what the user can fix."""
    import datasets

    datasets.logging.set_verbosity_error()
    datasets.disable_progress_bars()
    if _is_local(spec.id):
        if spec.revision:
            raise RegistryError(f"--revision {spec.revision}: {spec.id} is a local dataset; a revision pins a hub one")
        path = Path(spec.id).expanduser()
        saved = path.is_dir() and any((path / n).is_file() for n in ("state.json", "dataset_dict.json"))
        try:
            if saved:
                return datasets.load_from_disk(str(path)), False
            return datasets.load_dataset(str(path), spec.config, split=spec.split), False
        except (ValueError, FileNotFoundError, OSError) as exc:
            raise RegistryError(f"--hf-dataset {spec.id}: cannot read it as a dataset ({first_line(exc)})") from None
    offline = hub_offline()
    try:
        loaded = datasets.load_dataset(
            spec.id, spec.config, split=spec.split, streaming=not offline, revision=spec.revision
        )
        return loaded, not offline
    except ConnectionError:
        if offline:
            raise RegistryError(
                f"--hf-dataset {spec.id}: not a local folder and not in the Hugging Face cache, "
                "and the hub is offline (HF_HUB_OFFLINE=1)"
            ) from None
        raise RegistryError(f"--hf-dataset {spec.id}: the Hugging Face hub cannot be reached") from None
    except ValueError as exc:  # unknown config or split
        raise RegistryError(f"--hf-dataset {spec.id}: {first_line(exc)}") from None
    except FileNotFoundError:
        raise RegistryError(f"--hf-dataset {spec.id}: no such dataset on the hub or on disk") from None
    except Exception as exc:
        if "gated" in str(exc).lower() or "401" in str(exc):
            raise RegistryError(
                f"--hf-dataset {spec.id}: access denied; accept its terms on the hub and log in (hf auth login)"
            ) from None
        raise


def pick_split(data: Any, spec: HfSpec) -> tuple[Any, str]:
    """A single split out of a dataset dict (the named one, or the only one)."""
    from datasets import DatasetDict, IterableDatasetDict

    if not isinstance(data, DatasetDict | IterableDatasetDict):
        return data, spec.split or str(getattr(data, "split", None) or "")
    splits = list(data.keys())
    if spec.split:
        if spec.split not in splits:
            raise RegistryError(f"--split {spec.split}: {spec.id} has splits {', '.join(splits)}")
        return data[spec.split], spec.split
    if len(splits) != 1:
        raise RegistryError(f"--hf-dataset {spec.id} has splits {', '.join(splits)}: pick one with --split")
    return data[splits[0]], splits[0]


def _audio_column(features: Mapping[str, Any], spec: HfSpec) -> str:
    from datasets import Audio

    typed = [name for name, feature in features.items() if isinstance(feature, Audio)]
    if typed:
        return typed[0]
    if "audio" in features:
        return "audio"
    raise RegistryError(f"--hf-dataset {spec.id}: no audio column (columns: {', '.join(features)})")


def _text_column(columns: Iterable[str], spec: HfSpec) -> str:
    columns = list(columns)
    if spec.text_column:
        if spec.text_column not in columns:
            raise RegistryError(f"--text-column {spec.text_column}: {spec.id} has columns {', '.join(columns)}")
        return spec.text_column
    for name in TEXT_COLUMNS:
        if name in columns:
            return name
    raise RegistryError(
        f"--hf-dataset {spec.id}: no reference text column ({'/'.join(TEXT_COLUMNS)}); "
        f"columns are {', '.join(columns)}: name one with --text-column"
    )


def open_hf(spec: HfSpec, need_text: bool = True) -> OpenedDataset:
    """Open the dataset, find its columns and draw the --limit sample (fixed seed).

    Without `need_text` (transcribing) a dataset may lack references; their column is then "".
    """
    from datasets import Audio

    if spec.limit is not None and spec.limit < 1:
        raise RegistryError("--limit must be at least 1")
    data, streaming = load_split(spec)
    data, split = pick_split(data, spec)
    features = data.features
    if features is None and hasattr(data, "_resolve_features"):  # a stream whose features are known once read
        data = data._resolve_features()
        features = data.features
    if features is None:
        raise RegistryError(f"--hf-dataset {spec.id}: the dataset declares no features (columns) to read")
    audio = _audio_column(features, spec)
    if need_text or spec.text_column or any(c in features for c in TEXT_COLUMNS):
        text = _text_column(features, spec)
    else:
        text = ""
    ident = next((c for c in ID_COLUMNS if c in features and c != audio), None)
    if isinstance(features[audio], Audio):
        data = data.cast_column(audio, Audio(decode=False))
    data, size = select(data, streaming, spec.limit, spec.seed)
    return OpenedDataset(spec, data, split, audio, text, ident, streaming, size)


def select(data: Any, streaming: bool, limit: int | None, seed: int) -> tuple[Any, int | None]:
    """The --limit sample and its size (None when a stream's length is unknown).

    A local or cached dataset gives a uniform sample without replacement, kept in dataset order;
    a stream gives the first `limit` rows out of a seeded shuffle buffer of 10 x `limit` rows
    (at least 1000), so only about that much is downloaded. The same seed gives the same rows.
    """
    if streaming:
        if limit is None:
            return data, None
        return data.shuffle(seed=seed, buffer_size=max(1000, STREAM_BUFFER_FACTOR * limit)).take(limit), None
    size = len(data)
    if limit is None or limit >= size:
        return data, size
    return data.select(sorted(random.Random(seed).sample(range(size), limit))), limit


def _suffix(path: str | None, blob: bytes) -> str:
    suffix = Path(path or "").suffix.lower()
    if suffix in _SOUND_SUFFIXES:
        return suffix
    heads = {b"fLaC": ".flac", b"RIFF": ".wav", b"OggS": ".ogg", b"ID3": ".mp3", b"FORM": ".aiff"}
    return next((s for head, s in heads.items() if blob.startswith(head)), ".audio")


def _write_audio(value: Any, target: Path) -> str:
    """Write one row's audio under `target` (no suffix); returns the file name, or raises ValueError(reason)."""
    if isinstance(value, str):
        value = {"path": value, "bytes": None}
    if not isinstance(value, Mapping):
        raise ValueError(f"audio value is a {type(value).__name__}, not an audio record")
    blob = value.get("bytes")
    if blob:
        name = target.name + _suffix(value.get("path"), blob)
        _write_atomic(target.with_name(name), bytes(blob))
        return name
    if value.get("array") is not None:
        import numpy as np
        import soundfile as sf

        rate = value.get("sampling_rate")
        if not rate:
            raise ValueError("audio array without a sampling_rate")
        buffer = io.BytesIO()  # float WAV: the decoded samples exactly, without re-quantising
        sf.write(buffer, np.asarray(value["array"], dtype=np.float32), int(rate), format="WAV", subtype="FLOAT")
        name = target.name + ".wav"
        _write_atomic(target.with_name(name), buffer.getvalue())
        return name
    path = value.get("path")
    if path and Path(path).is_file():
        return str(Path(path).resolve())  # a file the dataset points at: used where it lies
    raise ValueError(f"no audio bytes and no readable file ({path or 'no path'})")


def _write_atomic(path: Path, payload: bytes) -> None:
    if path.is_file() and path.stat().st_size == len(payload):
        return  # written by an earlier (interrupted) run of the same selection
    partial = path.with_name(path.name + ".tmp")
    partial.write_bytes(payload)
    partial.replace(path)


def iter_rows(opened: OpenedDataset) -> Iterator[tuple[int, Mapping[str, Any] | None, str]]:
    """(position, row, error) for each selected row; a row the library cannot read comes with its reason."""
    iterator = iter(opened.rows)
    position = 0
    while True:
        try:
            row = next(iterator)
        except StopIteration:
            return
        except Exception as exc:  # a corrupt shard or undecodable record: report it, keep going
            yield position, None, f"unreadable row: {first_line(exc)}"
            if opened.streaming:
                return  # a failed stream does not resume mid-shard
        else:
            yield position, row, ""
        position += 1


def materialise(
    opened: OpenedDataset,
    folder: Path,
    keep_reference: Callable[[str], str] | None = None,
    need_text: bool = True,
    progress: Callable[[int], None] | None = None,
    keep_columns: Iterable[str] = (),
) -> Materialised:
    """Write the rows as ``folder/manifest.jsonl`` plus ``folder/audio/*``.

    A row without a usable reference or audio is dropped with its reason. `keep_reference` returns
    why a reference is not scored ("" to keep it): the leaderboard drops references that normalise
    to nothing. Each manifest row has ``audio_filepath``, ``text``, the dataset's id column and
    ``hf_index`` (the row's position in the selection), and the `keep_columns` a row has.
    """
    audio_dir = folder / "audio"
    audio_dir.mkdir(parents=True, exist_ok=True)
    lines: list[str] = []
    dropped: list[DroppedRow] = []
    for position, row, error in iter_rows(opened):
        if progress is not None:
            progress(position + 1)
        row_id = str(row.get(opened.id_column, position)) if row is not None and opened.id_column else str(position)
        if row is None:
            dropped.append(DroppedRow(position, row_id, error))
            continue
        text = row.get(opened.text_column) if opened.text_column else ""
        if not isinstance(text, str) and need_text:
            dropped.append(DroppedRow(position, row_id, f"'{opened.text_column}' is {type(text).__name__}, not text"))
            continue
        why = keep_reference(text) if keep_reference and isinstance(text, str) else ""
        if why:
            dropped.append(DroppedRow(position, row_id, why))
            continue
        try:
            name = _write_audio(row.get(opened.audio_column), audio_dir / f"{position:07d}")
        except ValueError as exc:
            dropped.append(DroppedRow(position, row_id, str(exc)))
            continue
        entry: dict[str, Any] = {"audio_filepath": name if os.path.isabs(name) else f"audio/{name}"}
        if opened.text_column:
            entry["text"] = _jsonable(text)
        if opened.id_column:
            entry[opened.id_column] = _jsonable(row.get(opened.id_column))
        entry["hf_index"] = position
        for column in keep_columns:
            if column in row:
                entry[column] = _jsonable(row[column])
        lines.append(json.dumps(entry, ensure_ascii=False))
    if not lines:
        reasons = "; ".join(sorted({d.reason for d in dropped})[:3]) or "it has no rows"
        raise RegistryError(f"--hf-dataset {opened.spec.id}: no row to use ({reasons})")
    manifest = folder / "manifest.jsonl"
    _write_atomic(manifest, ("\n".join(lines) + "\n").encode("utf-8"))
    return Materialised(manifest, len(lines), tuple(dropped))


def _jsonable(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)


def safe_name(text: str) -> str:
    """A file-name-safe form of a dataset id, e.g. ``hf-audio_esb-datasets-test-only-sorted``."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "dataset"
