"""Which models to bench on which data, when the user names less than everything."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from asr_registry.catalog.schema import Catalog, Dataset, ModelEntry
from asr_registry.errors import RegistryError

if TYPE_CHECKING:
    from asr_registry.datasets.hf import HfSpec, Materialised
    from asr_registry.datasets.oal_sets import LeaderboardSet


def claimed_datasets(entry: ModelEntry, datasets: Mapping[str, Dataset]) -> list[Dataset]:
    """Registered datasets the model's claims are about, in claim order."""
    found: list[Dataset] = []
    for claim in entry.claims:
        for dataset in datasets.values():
            matches = dataset.name == claim.dataset and (not claim.split or claim.split == dataset.split)
            if matches and dataset not in found:
                found.append(dataset)
    return found


def default_models(catalog: Catalog, datasets: Mapping[str, Dataset]) -> list[ModelEntry]:
    """Published local models with claims on data that is here: the bundled ones."""
    return [
        entry
        for entry in catalog.models.values()
        if entry.published and entry.source.path and claimed_datasets(entry, datasets)
    ]


def manifest_dataset(
    manifest: Path, name: str | None, language: str, registered: Mapping[str, Dataset] | None = None
) -> Dataset:
    """A user manifest as a dataset; `name` may be 'dataset' or 'dataset:split' to match claims.

    Named after an installed dataset (``digits:test``, one of `registered`), it is scored with
    that set's normaliser.
    """
    if not manifest.is_file():
        raise RegistryError(f"--manifest {manifest}: no such file")
    label = name or manifest.stem
    dataset, _, split = label.partition(":")
    known = _registered(name, registered)  # named after an installed set: scored with its normaliser
    return Dataset(
        name=dataset,
        split=split,
        manifest=str(manifest),
        language=language,
        description="--manifest",
        normalizer=known.normalizer if known else "",
    )


def plan(
    catalog: Catalog, datasets: Mapping[str, Dataset], names: Sequence[str], manifest: Dataset | None
) -> list[tuple[ModelEntry, list[Dataset]]]:
    """(model, datasets) pairs to run; an error when some model would have nothing to run on."""
    entries = [catalog.find(name) for name in names] if names else default_models(catalog, datasets)
    if not entries:
        raise RegistryError("no bundled model with local test data is installed; name a model and pass --manifest")
    pairs = []
    for entry in entries:
        if not entry.published:
            raise RegistryError(
                f"{entry.name} is unverified (not published); bench one of: {', '.join(entry.substitutes)}"
            )
        chosen = [manifest] if manifest else claimed_datasets(entry, datasets)
        if not chosen:
            raise RegistryError(
                f"no local data to bench {entry.name} on: pass --manifest FILE (with 'text' references)"
            )
        pairs.append((entry, chosen))
    return pairs


def hf_dataset(
    spec: HfSpec,
    folder: Path,
    name: str | None = None,
    language: str | None = None,
    board: LeaderboardSet | None = None,
    registered: Mapping[str, Dataset] | None = None,
    scoring: str | None = None,
) -> tuple[Dataset, Materialised]:
    """A Hugging Face dataset written out as a manifest under `folder`, named for claim matching.

    The name is `name` ('dataset' or 'dataset:split') when given, else the catalog's name for a
    leaderboard set (``hf-audio/esb-datasets-test-only-sorted`` librispeech/test.clean ->
    librispeech:test-clean; `board` says which set a local copy is), else the id and split. A
    leaderboard set is scored with `scoring` (a leaderboard scoring version; default the current
    one), references it would not score are dropped as it drops them, and a chunked set keeps each
    row's ``parent_id`` and ``chunk_index`` so that scoring can merge the chunks per recording.
    """
    from asr_registry.datasets.hf import materialise, open_hf
    from asr_registry.datasets.oal_sets import CHUNK_COLUMNS, lookup, strip_reference
    from asr_registry.metrics.scoring import CURRENT, scoring_version

    opened = open_hf(spec)
    board = board or lookup(spec.id, spec.config, opened.split)
    if name:
        dataset, _, split = name.partition(":")
    elif board:
        dataset, split = board.name, board.split
    else:
        dataset, split = spec.id, opened.split
    normalizer = (scoring or CURRENT.name) if board else ""
    if name and not board:
        known = _registered(name, registered)  # named after an installed set: scored as that set is
        if known is not None:
            normalizer, language = known.normalizer, language or known.language
    keep = None
    columns: tuple[str, ...] = ()
    if board:
        normalise = scoring_version(normalizer).normalizer(board.language)
        columns = CHUNK_COLUMNS if board.chunked else ()

        def keep(text: str) -> str:
            return strip_reference(text, normalise(text))

    done = materialise(opened, folder, keep, keep_columns=columns)
    described = f"--hf-dataset {spec.label}" + (
        f" ({spec.limit} rows drawn with seed {spec.seed})" if spec.limit else ""
    )
    target = Dataset(
        name=dataset,
        split=split,
        manifest=str(done.manifest),
        language=language or (board.language if board else "en"),
        description=described,
        normalizer=normalizer,
        revision=spec.revision or "",
    )
    return target, done


def _registered(name: str | None, registered: Mapping[str, Dataset] | None) -> Dataset | None:
    """The installed dataset (the plugins' `register_datasets`, handed in) called `name`, if any."""
    return (registered or {}).get(name) if name else None


def lhotse_dataset(
    cuts: Path,
    folder: Path,
    name: str | None,
    language: str | None,
    limit: int | None,
    seed: int,
    registered: Mapping[str, Dataset] | None = None,
) -> tuple[Dataset, Materialised]:
    """A Lhotse cut manifest written out under `folder`, named `name` (default: the file's stem)."""
    from asr_registry.datasets.lhotse import materialise_cuts

    done = materialise_cuts(cuts, folder, limit=limit, seed=seed)
    dataset, _, split = (name or cuts.name.split(".")[0]).partition(":")
    known = _registered(name, registered)
    normalizer = known.normalizer if known else ""
    language = language or (known.language if known else "en")
    described = f"--lhotse {cuts}" + (f" ({limit} cuts drawn with seed {seed})" if limit else "")
    return Dataset(
        name=dataset,
        split=split,
        manifest=str(done.manifest),
        language=language,
        description=described,
        normalizer=normalizer,
    ), done
