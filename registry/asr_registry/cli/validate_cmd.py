"""`asr-registry validate [FILE]`: check a catalog file, or the whole installed catalog."""

from __future__ import annotations

import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import click

from asr_registry.cli.output import echo_json, json_option

if TYPE_CHECKING:
    from asr_registry.doctor.catalog_check import CatalogCheck


@click.command("validate")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--nemo/--no-nemo",
    "use_nemo",
    default=None,
    help="Cross-check NGC names against NeMo's own model list (default: for the installed catalog, "
    "when NeMo is installed; a FILE is checked alone unless --nemo is given).",
)
@click.option("--strict", is_flag=True, help="Also list claims whose conditions are missing or declared unstated.")
@json_option
def command(file: Path | None, use_nemo: bool | None, strict: bool, as_json: bool) -> None:
    """Check a catalog: syntax, types, unknown keys, codes, ranges, references.

    Exit 0 when clean, 1 when problems were found, 2 when the file cannot be read.
    """
    from asr_registry.doctor.catalog_check import check_catalog
    from asr_registry.plugins.catalog_files import builtin_catalog_path
    from asr_registry.plugins.manager import get_catalog

    path = file or Path(builtin_catalog_path())
    check = check_catalog(path, get_catalog if file is None else None, use_nemo, strict=strict)
    if as_json:
        report = asdict(check)
        if check.nemo is None:
            del report["nemo"]
        if not strict:
            del report["unstated"], report["strict_notes"]
        echo_json(report)
    else:
        _print(check)
    sys.exit(1 if check.problems else 0)


def _print(check: CatalogCheck) -> None:
    for line in (*check.strict_notes, *check.problems):
        click.echo(line)
    nemo = check.nemo
    if nemo is not None and check.whole:
        missing = nemo.missing_from_catalog
        click.echo(
            f"NeMo {nemo.nemo_version} lists {nemo.known_to_nemo} ASR models; {len(missing)} are not in the catalog"
            + (f": {', '.join(missing)}" if missing else "")
            + f"; {len(nemo.excluded)} excluded with a reason"
        )
    plugins = f" ({check.with_plugins} with plugins)" if check.with_plugins != check.models else ""
    click.echo(f"{check.file}: {check.models} models{plugins}, {len(check.problems)} problem(s)")
