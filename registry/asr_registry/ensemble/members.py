"""Run several models over the same audio and combine their words per utterance.

Each member is loaded once; every member's prediction is kept beside the combined one.
A member that skipped an utterance (unreadable audio) is left out of that utterance's
vote, and the row says so; an utterance every member skipped is skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from asr_registry.engine.rows import output_row as engine_row
from asr_registry.engine.rows import word_columns
from asr_registry.engine.values import Skip
from asr_registry.ensemble.combiners import (
    Combined,
    Combiner,
    CombinerError,
    MemberHypothesis,
    make_combiner,
    parse_combiner_spec,
)
from asr_registry.errors import RegistryError


@dataclass(frozen=True)
class EnsembleResult:
    index: int
    combined: Combined | None
    members: Mapping[str, Any]  # member name -> engine Result
    duration: float
    skipped: Skip | None = None
    note: str = ""

    @property
    def text(self) -> str | None:
        return None if self.combined is None else self.combined.text

    @property
    def chunks(self) -> int:
        return max((getattr(r, "chunks", 1) for r in self.members.values()), default=1)


def build_combiner(spec_text: str, factories: Mapping[str, Callable[..., Combiner]]) -> tuple[Combiner, str]:
    """A combiner from a spec like `rover:method=maxconf,alpha=0.7`; bad specs are user errors.

    `factories` are the registered combiners by name (the plugins' `register_combiners`).
    """
    try:
        spec = parse_combiner_spec(spec_text)
        return make_combiner(spec, factories), spec_text
    except (ValueError, CombinerError) as exc:
        raise RegistryError(f"--combiner: {exc}") from None


def ensemble_label(spec: str, member_labels: Sequence[str]) -> str:
    """How an ensemble is named in outputs and reports: `ensemble:SPEC(A,B,C)`."""
    return f"ensemble:{spec}({','.join(member_labels)})"


@dataclass(frozen=True)
class Member:
    """`MODEL` or `MODEL:DECODER` (a hybrid model's two decoders make two members)."""

    label: str
    model: str
    decoder: str | None


def parse_members(text: str) -> list[Member]:
    labels = [n.strip() for n in text.split(",") if n.strip()]
    if len(labels) < 2:
        raise RegistryError(f"--ensemble: '{text}' names {len(labels)} member(s); an ensemble needs at least two")
    if len(set(labels)) != len(labels):
        raise RegistryError(f"--ensemble: '{text}' names a member twice")
    members = []
    for label in labels:
        model, _, decoder = label.partition(":")
        members.append(Member(label, model, decoder or None))
    return members


def check_member(member: Member, decoders: Sequence[str]) -> None:
    if member.decoder is not None and member.decoder not in decoders:
        raise RegistryError(
            f"--ensemble: {member.model} has no {member.decoder} decoder (it has {', '.join(decoders)})"
        )


def hypothesis(member: str, result: Any) -> MemberHypothesis:
    """A member's words for the combiner; confidences only when they match the words one to one."""
    words = tuple(result.words) if result.words is not None else tuple((result.text or "").split())
    confidences = result.word_confidence
    if confidences is not None and len(confidences) != len(words):
        confidences = None
    return MemberHypothesis(member, words, None if confidences is None else tuple(confidences))


def combine_utterance(index: int, members: Mapping[str, Any], combiner: Combiner) -> EnsembleResult:
    """Combine one utterance's member results (member order is the ensemble's order)."""
    present = {name: r for name, r in members.items() if r.skipped is None}
    duration = max((r.duration for r in present.values()), default=0.0)
    if not present:
        reasons = sorted({r.skipped.reason for r in members.values()})
        return EnsembleResult(index, None, members, 0.0, skipped=Skip("; ".join(reasons)))
    missing = [name for name in members if name not in present]
    note = f"left out of the vote: {', '.join(missing)} (skipped)" if missing else ""
    try:
        combined = combiner.combine([hypothesis(name, r) for name, r in present.items()])
    except CombinerError as exc:
        raise RegistryError(f"--combiner: {exc}") from None
    return EnsembleResult(index, combined, members, duration, note=note)


class Ensemble:
    """Member engines (already configured) plus a combiner; runs like one engine (`run_manifest`)."""

    # Rows per block: every member transcribes a block before it is combined and journaled,
    # so an interrupted run loses at most one block's work.
    BLOCK_ROWS = 256

    def __init__(
        self,
        members: Sequence[Member],
        engines: Sequence[Any],
        combiner: Combiner,
        spec: str,
        word_confidence: bool = False,
    ) -> None:
        self.engines = list(engines)
        self.names = [member.label for member in members]
        self.combiner = combiner
        self.spec = spec
        self.word_confidence = word_confidence

    @property
    def name(self) -> str:
        return ensemble_label(self.spec, self.names)

    @property
    def decoder(self) -> str:
        """For reports: each member's decoder, in member order (the ensemble has none of its own)."""
        return ", ".join(engine.decoder for engine in self.engines)

    @property
    def combiner_spec(self) -> str:
        """For reports: what combines the members' words."""
        return self.spec

    @property
    def member_summary(self) -> tuple[str, ...]:
        """For reports: `LABEL (decoder)` per member, e.g. `digits_hybrid:ctc (ctc)`."""
        return tuple(f"{name} ({engine.decoder})" for name, engine in zip(self.names, self.engines, strict=True))

    @property
    def settings(self) -> Any:
        from dataclasses import replace

        first = self.engines[0].settings
        return replace(
            first,
            decoder=self.spec,
            word_confidence=self.word_confidence,
            notes=tuple(n for e in self.engines for n in e.settings.notes),
        )

    @property
    def load_seconds(self) -> float:
        return sum(e.load_seconds for e in self.engines)

    @property
    def oom_splits(self) -> int:
        return sum(e.oom_splits for e in self.engines)

    def load(self) -> None:
        for engine in self.engines:
            engine.load()

    def member_results(self, items: Sequence[Any]) -> dict[str, list[Any]]:
        return {name: engine.transcribe(items) for name, engine in zip(self.names, self.engines, strict=True)}

    def transcribe(self, items: Sequence[Any]) -> list[EnsembleResult]:
        return combine_all(self.member_results(items), self.combiner)

    def iter_results(self, items: Sequence[Any]) -> Iterator[list[EnsembleResult]]:
        for start in range(0, len(items), self.BLOCK_ROWS):
            yield self.transcribe(items[start : start + self.BLOCK_ROWS])

    def row(self, item: Any, result: EnsembleResult, pred_key: str) -> dict[str, Any]:
        return output_row(item.fields, result, pred_key, self.word_confidence)


def combine_all(member_results: Mapping[str, Sequence[Any]], combiner: Combiner) -> list[EnsembleResult]:
    """Per utterance combination of results the members produced for the same items."""
    names = list(member_results)
    rows = zip(*(member_results[name] for name in names), strict=True)
    return [combine_utterance(row[0].index, dict(zip(names, row, strict=True)), combiner) for row in rows]


def output_row(
    fields: Mapping[str, Any], result: EnsembleResult, pred_key: str, word_confidence: bool
) -> dict[str, Any]:
    """The input row, the combined prediction, and each member's under `{pred_key}_{member}`."""
    columns: dict[str, Any] = {}
    if result.combined is not None:
        columns[f"{pred_key}_confidence"] = result.combined.confidence
        if word_confidence:
            columns.update(word_columns(result.combined.words, result.combined.confidences))
    for name, member in result.members.items():
        columns[f"{pred_key}_{name}"] = member.text
        if word_confidence:
            confidences = member.word_confidence
            columns[f"pred_word_confidence_{name}"] = list(confidences) if confidences is not None else None
    notes = {"ensemble_note": result.note} if result.note else {}
    return engine_row(fields, pred_key, result.text, result.skipped, columns, notes)
