"""What a bench run produces, shared by the runner, the reports and the CLI."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from asr_registry.bench.claims import Measurement, Verdict
from asr_registry.bench.contention import Contention
from asr_registry.metrics.wer import ErrorCounts
from asr_registry.sizing.hardware import Machine


@dataclass(frozen=True)
class MachineInfo(Machine):
    """The run's environment (the one machine description, `sizing.hardware.Machine`) plus what
    the bench adds: other work on the machine just before timing (see bench/contention.py)."""

    contention: Contention | None = None


@dataclass(frozen=True)
class SweepPoint:
    batch_size: int
    rtfx: float
    peak_memory_gb: float | None


@dataclass(frozen=True)
class ModelRun:
    """One model (or ensemble) on one dataset with one decoder."""

    name: str  # model name, or "ensemble:rover(a,b,c)"
    measurement: Measurement
    round_seconds: tuple[float, ...]  # wall seconds of each timed round (warm-up excluded)
    audio_seconds: float
    utterances: int
    skipped: int
    normalizer: str  # name and version of the text normaliser
    resamples: int  # bootstrap resamples behind the CI
    verdicts: tuple[Verdict, ...] = ()
    sweep: tuple[SweepPoint, ...] = ()
    largest_batch: int | None = None  # largest batch within the memory budget (GPU only)
    # Paired bootstrap against other runs on the same data: {other name: P(this beats other)}.
    beats: dict[str, float] = field(default_factory=dict)
    # Other work on the machine while this run was timed, when known.
    contention: Contention | None = None
    # Edit counts over the scored utterances (recordings, for a chunked set) and the share of them
    # with at least one error, in percent.
    errors: ErrorCounts | None = None
    sentence_error_rate: float | None = None
    long_audio: str = ""  # how long files ran: the engine's --long-audio mode (auto, local-attention, chunk)
    model_revision: str = ""  # the hub revision the checkpoint is pinned to ("" unpinned)
    dataset_revision: str = ""  # the hub revision the data was read at ("" unpinned)

    @property
    def label(self) -> str:
        m = self.measurement
        split = f":{m.split}" if m.split else ""
        return f"{self.name}[{m.dataset}{split},{m.decoder},bs{m.batch_size},{m.precision}]"


@dataclass(frozen=True)
class Scored:
    """A run plus the per-utterance data paired comparisons need."""

    run: ModelRun
    wer: Any  # asr_registry.metrics.wer.WerResult
    hypotheses: tuple[str, ...]
    references: tuple[str, ...] = ()  # as scored (a chunked set's merged per recording)
    ids: tuple[str, ...] = ()  # what each scored utterance is: its audio, or a chunked set's recording id


@dataclass(frozen=True)
class BenchReport:
    runs: tuple[ModelRun, ...]
    machine: MachineInfo
    started: str  # ISO 8601 UTC
    rounds: int
