"""Which input a command reads: a manifest, a Hugging Face dataset (`--hf-dataset`), Lhotse cuts
(`--lhotse`) or, for `bench`, the Open ASR Leaderboard's sets (`--oal`); and the rules that say
which combinations make sense. `transcribe`'s input is written out here; `bench` names its data
in `asr_registry.bench.plan`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from asr_registry.errors import RegistryError

if TYPE_CHECKING:
    from asr_registry.datasets.hf import HfSpec, Materialised


@dataclass(frozen=True)
class HfInput:
    """The --hf-dataset / --lhotse / --oal options, as given (None: not given)."""

    hf_dataset: str | None = None
    config: str | None = None
    split: str | None = None
    text_column: str | None = None
    limit: int | None = None
    seed: int = 0
    lhotse: Path | None = None
    oal: str | None = None  # --oal [SUITE]: "" for the default suites, else a suite's name
    oal_data: Path | None = None
    revision: str | None = None  # --revision: a hub dataset's commit, tag or branch

    @property
    def leaderboard(self) -> bool:
        """Whether --oal was given (with or without a suite name)."""
        return self.oal is not None

    @property
    def given(self) -> bool:
        """Whether any of these options was given (so the input is not a plain manifest)."""
        return bool(
            self.hf_dataset
            or self.leaderboard
            or self.oal_data
            or self.config
            or self.split
            or self.text_column
            or self.limit
            or self.lhotse
        )

    def spec(self) -> HfSpec | None:
        """The --hf-dataset request, or None; sampling options without a dataset are a usage error."""
        from asr_registry.datasets.hf import HfSpec

        if not self.hf_dataset:
            stray = [
                flag
                for flag, value in (
                    ("--config", self.config),
                    ("--split", self.split),
                    ("--text-column", self.text_column),
                    ("--revision", self.revision),
                )
                if value
            ]
            if self.limit and not self.leaderboard and not self.lhotse:
                stray.append("--limit")
            if stray:
                raise RegistryError(f"{', '.join(stray)} need(s) --hf-dataset")
            return None
        return HfSpec(self.hf_dataset, self.config, self.split, self.text_column, self.limit, self.seed, self.revision)


@dataclass(frozen=True)
class Dropped:
    """Rows of one source that were not written out (`label` names the source as the user gave it)."""

    label: str
    materialised: Materialised


@dataclass(frozen=True)
class TranscribeInput:
    """`transcribe`'s manifest and output; `scratch` (written-out rows) is to be removed when the command ends."""

    manifest: str
    out: str | None
    scratch: Path | None = None
    dropped: tuple[Dropped, ...] = field(default_factory=tuple)


def transcribe_input(manifest: str | None, out: str | None, hf: HfInput, model: str) -> TranscribeInput:
    """MANIFEST itself, or --hf-dataset's / --lhotse's rows written out.

    The rows go to ``OUT.hf/`` beside the output (the same selection gives the same files, so
    ``--resume`` finds the manifest it started from). Output rows keep the dataset's id column and
    ``hf_index``; their ``audio_filepath`` names the written-out copy.
    """
    from asr_registry.datasets.hf import safe_name

    spec = hf.spec()
    if spec is None and hf.lhotse is None:
        if manifest is None:
            raise RegistryError("give a MANIFEST, --hf-dataset ID or --lhotse CUTS")
        return TranscribeInput(manifest, out)
    if hf.lhotse is not None:
        if manifest is not None or spec is not None:
            raise RegistryError("give one of MANIFEST, --hf-dataset, --lhotse")
        from asr_registry.datasets.lhotse import materialise_cuts

        stem = hf.lhotse.name.split(".")[0]
        target = Path(out) if out else hf.lhotse.with_name(f"{stem}.{safe_name(model)}.pred.jsonl")
        folder = target.with_name(target.name + ".hf")
        done = materialise_cuts(hf.lhotse, folder, need_text=False, limit=hf.limit, seed=hf.seed)
        return TranscribeInput(str(done.manifest), str(target), folder, (Dropped(f"--lhotse {hf.lhotse}", done),))
    assert spec is not None
    if manifest is not None:
        raise RegistryError("give a MANIFEST or --hf-dataset, not both")
    from asr_registry.datasets.hf import materialise, open_hf

    opened = open_hf(spec, need_text=False)
    stem = "-".join(safe_name(p) for p in (Path(spec.id).name or spec.id, spec.config or "", opened.split) if p)
    target = Path(out) if out else Path(f"{stem}.{safe_name(model)}.pred.jsonl")
    folder = target.with_name(target.name + ".hf")
    done = materialise(opened, folder, need_text=False)
    return TranscribeInput(str(done.manifest), str(target), folder, (Dropped(f"--hf-dataset {spec.id}", done),))
