"""Options shared by `bench` and `transcribe` for reading Hugging Face datasets (`--hf-dataset`),
Lhotse cuts and the Open ASR Leaderboard's sets, handed to the command as one
`hf: asr_registry.datasets.inputs.HfInput`; and how the CLI shows rows that were not written out.

Cheap to import (click only): the rules are `asr_registry.datasets.inputs`, and the `datasets`
library loads when a dataset is opened.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from asr_registry.cli.option_groups import option_group

if TYPE_CHECKING:
    from asr_registry.datasets.inputs import Dropped

F = TypeVar("F", bound=Callable[..., Any])
SHOWN_DROPS = 10


def _hf_input(**values: Any) -> Any:
    from asr_registry.datasets.inputs import HfInput

    return HfInput(**values)


def hf_options(with_oal: bool = False) -> Callable[[F], F]:
    """Decorator adding --hf-dataset, --config, --split, --text-column, --limit, --seed, --lhotse (and --oal)."""
    options = [
        click.option(
            "--hf-dataset",
            help="A Hugging Face dataset: hub id (streamed; the HF cache when "
            "HF_HUB_OFFLINE=1), save_to_disk folder or local dataset folder.",
        ),
        click.option("--config", help="Config (subset) of --hf-dataset, e.g. librispeech."),
        click.option("--split", help="Split of --hf-dataset, e.g. test.clean."),
        click.option(
            "--text-column",
            help="Reference column of --hf-dataset (default: the first of text, "
            "sentence, normalized_text, transcript, transcription).",
        ),
        click.option(
            "--limit",
            type=click.IntRange(min=1),
            help="Use N rows of --hf-dataset drawn at random (fixed --seed); the CI widens to match.",
        ),
        click.option("--seed", type=int, default=0, show_default=True, help="Seed of the --limit sample."),
        click.option(
            "--revision", help="Commit, tag or branch of the --hf-dataset hub repository (recorded in the report)."
        ),
        click.option(
            "--lhotse",
            type=click.Path(dir_okay=False, path_type=Path),
            help="A Lhotse cut manifest (cuts.jsonl.gz) as the input; --limit and --seed apply.",
        ),
    ]
    if with_oal:
        options.append(
            click.option(
                "--oal",
                is_flag=False,
                flag_value="",
                metavar="[SUITE]",
                help="Run an Open ASR Leaderboard suite (en-2026, en-2025, longform-2026, multilingual-2026; "
                "alone: en-2026 and multilingual-2026 in the model's languages) and print its table beside the claims.",
            )
        )
        options.append(
            click.option(
                "--oal-data",
                type=click.Path(file_okay=False, path_type=Path),
                help="With --oal: read each set from DIR/CONFIG/SPLIT (save_to_disk copies) instead of the hub.",
            )
        )
    return option_group("hf", _hf_input, *options)


def scratch_folder() -> Path:
    """A temporary folder for written-out rows, removed when the command ends (also on errors)."""
    folder = Path(tempfile.mkdtemp(prefix="asr-registry-hf-"))
    remove_when_done(folder)
    return folder


def remove_when_done(folder: Path | None) -> None:
    """Remove a folder of written-out rows when the command ends (also on errors)."""
    if folder is not None:
        click.get_current_context().call_on_close(lambda: shutil.rmtree(folder, ignore_errors=True))


def report_dropped(dropped: Iterable[Dropped]) -> None:
    """Rows that were not written out, with their reasons, on stderr."""
    for source in dropped:
        rows = source.materialised.dropped
        for row in rows[:SHOWN_DROPS]:
            click.echo(f"note: {source.label}: skipped row {row.index} ({row.row_id}): {row.reason}", err=True)
        if len(rows) > SHOWN_DROPS:
            click.echo(f"note: {source.label}: {len(rows) - SHOWN_DROPS} more rows skipped", err=True)


def language_given() -> bool:
    """Whether --language was typed (not just its default)."""
    source = click.get_current_context().get_parameter_source("language")
    return source is not None and source.name not in ("DEFAULT", "DEFAULT_MAP")
