"""`asr-registry validate [FILE]`: check a catalog file, or the whole installed catalog."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from asr_registry.cli.output import echo_json, json_option


@click.command("validate")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--nemo/--no-nemo",
    "use_nemo",
    default=None,
    help="Cross-check NGC names against NeMo's own model list (default: when NeMo is installed).",
)
@click.option("--strict", is_flag=True, help="Also list claims whose conditions are missing or declared unstated.")
@json_option
def command(file: Path | None, use_nemo: bool | None, as_json: bool, strict: bool = False) -> None:
    """Check a catalog: syntax, types, unknown keys, codes, ranges, references.

    Exit 0 when clean, 1 when problems were found, 2 when the file cannot be read.
    """
    from asr_registry.catalog.validation import validate_file
    from asr_registry.errors import RegistryError
    from asr_registry.plugins.manager import builtin_catalog_path, get_catalog

    path = file or Path(builtin_catalog_path())
    if not path.is_file():
        raise RegistryError(f"{path}: no such file")
    catalog, found = validate_file(path)
    problems = [str(p) for p in found]
    in_file = len(catalog.models)
    excluded = catalog.excluded  # the file's own: the plugin-merged catalog carries none
    if file is None and not problems:
        catalog = get_catalog()  # plugins too: duplicates and bad entries surface here
    if file is None:  # the architecture specs (architectures.toml) are keyed by built-in catalog names
        from asr_registry.shadow.specs import check_against_catalog, load

        problems += check_against_catalog(load(), catalog.models, set(catalog.sources))
    report: dict[str, object] = {"file": str(path), "models": in_file, "with_plugins": len(catalog.models),
                                 "problems": problems}  # fmt: skip

    from asr_registry.catalog.nemo_check import cross_check, nemo_installed

    if use_nemo is None:
        use_nemo = nemo_installed()
    if use_nemo and not problems:
        if not nemo_installed():
            raise RegistryError("--nemo: NeMo is not installed (pip install 'asr-registry[engine]')")
        check = cross_check(catalog, excluded)
        report["nemo"] = check
        problems += [f"{path.name}: models.{n}: published with an NGC name that NeMo {check.nemo_version} does not list"
                     for n in check.unknown_to_nemo]  # fmt: skip
    if strict:  # a missing condition is a problem; one declared unstated is listed only
        from asr_registry.catalog.validation import condition_gaps, strict_lines

        gaps = condition_gaps(catalog)
        problems += [f"{path.name}: {g.where}: conditions missing: {', '.join(g.missing)}" for g in gaps if g.missing]
        report["unstated"], notes = strict_lines(gaps)
        click.echo("\n".join(notes)) if not as_json else None
    if as_json:
        echo_json(report)
    else:
        for line in problems:
            click.echo(line)
        nemo = report.get("nemo")
        if nemo is not None:
            missing = nemo.missing_from_catalog  # type: ignore[attr-defined]
            click.echo(
                f"NeMo {nemo.nemo_version} lists {nemo.known_to_nemo} ASR models; "  # type: ignore[attr-defined]
                f"{len(missing)} are not in the catalog"
                + (f": {', '.join(missing)}" if missing else "")
                + f"; {len(nemo.excluded)} excluded with a reason"  # type: ignore[attr-defined]
            )
        plugins = f" ({len(catalog.models)} with plugins)" if len(catalog.models) != in_file else ""
        click.echo(f"{path}: {in_file} models{plugins}, {len(problems)} problem(s)")
    sys.exit(1 if problems else 0)
