"""Options shared by `bench` and `transcribe` for reading Hugging Face datasets (`--hf-dataset`).

Cheap to import (click only): the `datasets` library loads when a dataset is opened.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from asr_registry.errors import RegistryError

if TYPE_CHECKING:
    from asr_registry.datasets.hf import HfSpec, Materialised

F = TypeVar("F", bound=Callable[..., Any])
SHOWN_DROPS = 10


def hf_options(with_oal: bool = False) -> Callable[[F], F]:
    """Decorator adding --hf-dataset, --config, --split, --text-column, --limit, --seed (and --oal)."""

    def decorate(function: F) -> F:
        options = [
            click.option("--hf-dataset", help="A Hugging Face dataset: hub id (streamed; the HF cache when "
                         "HF_HUB_OFFLINE=1), save_to_disk folder or local dataset folder."),
            click.option("--config", "hf_config", help="Config (subset) of --hf-dataset, e.g. librispeech."),
            click.option("--split", "hf_split", help="Split of --hf-dataset, e.g. test.clean."),
            click.option("--text-column", help="Reference column of --hf-dataset (default: the first of text, "
                         "sentence, normalized_text, transcript, transcription)."),
            click.option("--limit", type=click.IntRange(min=1),
                         help="Use N rows of --hf-dataset drawn at random (fixed --seed); the CI widens to match."),
            click.option("--seed", type=int, default=0, show_default=True, help="Seed of the --limit sample."),
            click.option("--lhotse", type=click.Path(dir_okay=False, path_type=Path),
                         help="A Lhotse cut manifest (cuts.jsonl.gz) as the input; --limit and --seed apply."),
        ]  # fmt: skip
        if with_oal:
            options.append(click.option("--oal", is_flag=True, help="Run the Open ASR Leaderboard's sets (English, "
                                        "or the model's languages) and print its table beside the claims."))  # fmt: skip
            options.append(click.option("--oal-data", type=click.Path(file_okay=False, path_type=Path),
                                        help="With --oal: read each set from DIR/CONFIG/SPLIT (save_to_disk "
                                        "copies) instead of the hub."))  # fmt: skip
        for option in reversed(options):
            function = option(function)
        return function

    return decorate


def spec_from(values: Mapping[str, Any]) -> HfSpec | None:
    """The --hf-dataset request, or None; sampling options without a dataset are a usage error."""
    from asr_registry.datasets.hf import HfSpec

    if not values.get("hf_dataset"):
        stray = [f"--{n.replace('hf_', '').replace('_', '-')}" for n in ("hf_config", "hf_split", "text_column")
                 if values.get(n)]  # fmt: skip
        if values.get("limit") and not values.get("oal") and not values.get("lhotse"):
            stray.append("--limit")
        if stray:
            raise RegistryError(f"{', '.join(stray)} need(s) --hf-dataset")
        return None
    return HfSpec(values["hf_dataset"], values.get("hf_config"), values.get("hf_split"), values.get("text_column"),
                  values.get("limit"), values.get("seed") or 0)  # fmt: skip


def scratch_folder() -> Path:
    """A temporary folder for written-out rows, removed when the command ends (also on errors)."""
    folder = Path(tempfile.mkdtemp(prefix="asr-registry-hf-"))
    click.get_current_context().call_on_close(lambda: shutil.rmtree(folder, ignore_errors=True))
    return folder


def report_dropped(label: str, done: Materialised) -> None:
    """Rows that were not written out, with their reasons, on stderr."""
    for row in done.dropped[:SHOWN_DROPS]:
        click.echo(f"note: {label}: skipped row {row.index} ({row.row_id}): {row.reason}", err=True)
    if len(done.dropped) > SHOWN_DROPS:
        click.echo(f"note: {label}: {len(done.dropped) - SHOWN_DROPS} more rows skipped", err=True)


def language_given() -> bool:
    """Whether --language was typed (not just its default)."""
    source = click.get_current_context().get_parameter_source("language")
    return source is not None and source.name not in ("DEFAULT", "DEFAULT_MAP")


def manifest_of(manifest: str | None, out: str | None, values: Mapping[str, Any], model: str) -> tuple[str, str | None]:
    """`transcribe`'s input manifest and output: MANIFEST itself, or --hf-dataset's rows written out.

    The rows go to ``OUT.hf/`` beside the output (the same selection gives the same files, so
    ``--resume`` finds the manifest it started from); the folder is removed when the command ends.
    Output rows keep the dataset's id column and ``hf_index``; their ``audio_filepath`` names
    the written-out copy.
    """
    spec = spec_from(values)
    cuts: Path | None = values.get("lhotse")
    if spec is None and cuts is None:
        if manifest is None:
            raise RegistryError("give a MANIFEST, --hf-dataset ID or --lhotse CUTS")
        return manifest, out
    if cuts is not None:
        if manifest is not None or spec is not None:
            raise RegistryError("give one of MANIFEST, --hf-dataset, --lhotse")
        from asr_registry.datasets.hf import safe_name
        from asr_registry.datasets.lhotse import materialise_cuts

        stem = cuts.name.split(".")[0]
        target = Path(out) if out else cuts.with_name(f"{stem}.{safe_name(model)}.pred.jsonl")
        folder = target.with_name(target.name + ".hf")
        done = materialise_cuts(cuts, folder, need_text=False, limit=values.get("limit"), seed=values.get("seed") or 0)
        report_dropped(f"--lhotse {cuts}", done)
        click.get_current_context().call_on_close(lambda: shutil.rmtree(folder, ignore_errors=True))
        return str(done.manifest), str(target)
    assert spec is not None
    if manifest is not None:
        raise RegistryError("give a MANIFEST or --hf-dataset, not both")
    from asr_registry.datasets.hf import materialise, open_hf, safe_name

    opened = open_hf(spec, need_text=False)
    stem = "-".join(safe_name(p) for p in (Path(spec.id).name or spec.id, spec.config or "", opened.split) if p)
    target = Path(out) if out else Path(f"{stem}.{safe_name(model)}.pred.jsonl")
    folder = target.with_name(target.name + ".hf")
    done = materialise(opened, folder, need_text=False)
    report_dropped(f"--hf-dataset {spec.id}", done)
    click.get_current_context().call_on_close(lambda: shutil.rmtree(folder, ignore_errors=True))
    return str(done.manifest), str(target)
