"""Every check of a transcription that needs no model, made before torch or NeMo is imported.

A run that cannot finish (empty manifest, unwritable or full output folder, output = input, a
prompted model without its language, wrong checksum) is refused in a second instead of after the
model has loaded.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from asr_registry.errors import RegistryError

if TYPE_CHECKING:
    from asr_registry.catalog.schema import ModelEntry
    from asr_registry.engine.prompts import PromptOptions


def check_transcription(
    manifest: str,
    out: str | None,
    *,
    in_place: bool,
    resume: bool,
    name: str,
    entries: Sequence[ModelEntry],
    word_confidence: bool,
    prompt: PromptOptions | None = None,
) -> Path:
    """The output path the run will write (`name` names the default one), once every check has passed."""
    from asr_registry.engine.files import same_file
    from asr_registry.engine.loading import verify_before_load
    from asr_registry.engine.manifest import default_output_path, read_manifest
    from asr_registry.engine.output import prediction_bytes, prepare_output

    items = read_manifest(manifest)
    if not items:
        raise RegistryError(f"{manifest}: the manifest has no rows; nothing to transcribe")
    if in_place and out is not None and not same_file(out, manifest):
        raise RegistryError(f"--in-place writes over {manifest}, but --out names {out}: give one or the other")
    target = Path(manifest) if in_place else Path(out) if out else default_output_path(manifest, name)
    prepare_output(
        Path(manifest),
        target,
        rows=len(items),
        resume=resume,
        in_place=in_place,
        extra_row_bytes=prediction_bytes(len(entries), word_confidence),
    )
    if prompt is not None:
        from asr_registry.engine.prompts import check_options, first_unprompted_row

        for entry in entries:
            check_options(entry, prompt)
            row = first_unprompted_row(entry, prompt, [item.fields for item in items])
            if row is not None:
                raise RegistryError(
                    f"{manifest}:{items[row].line}: model {entry.name} needs the spoken language "
                    f"({', '.join(entry.languages)}): pass --language or give every row a source_lang"
                )
    verify_before_load(list(entries))
    return target
