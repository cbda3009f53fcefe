"""One class per model family, chosen from the catalog entry's `family` and checked against the loaded model.

    runner = runner_for(entry, model, device="cpu", precision="fp32", decoder="", word_confidence=False)
    hyps = runner.forward(waveforms, prompts)

A catalog entry that declares a family the loaded model is not (a `.nemo` of another
architecture, a wrong `family` in a plugin's catalog) is refused with a `FamilyMismatchError`
naming both, before any audio is read. An entry without a family (a local `.nemo` the catalog
does not list) takes the family of the loaded model; a family the engine has no class for
runs through NeMo's generic `transcribe()`.
"""

from __future__ import annotations

from asr_registry.catalog.schema import ModelEntry
from asr_registry.engine.families.aed import AEDRunner
from asr_registry.engine.families.asr import CTCRunner, HybridRunner, TDTRunner, TransducerRunner
from asr_registry.engine.families.base import FamilyRunner, NemoModel
from asr_registry.engine.families.other import GenericRunner, SALMRunner
from asr_registry.errors import RegistryError

__all__ = [
    "AEDRunner",
    "CTCRunner",
    "FamilyMismatchError",
    "FamilyRunner",
    "GenericRunner",
    "HybridRunner",
    "SALMRunner",
    "TDTRunner",
    "TransducerRunner",
    "detect_family",
    "runner_for",
]

FAMILY_CLASSES: dict[str, type[FamilyRunner]] = {
    cls.family: cls for cls in (CTCRunner, TransducerRunner, TDTRunner, HybridRunner, AEDRunner, SALMRunner)
}
# Most specific first: a hybrid is also a transducer, so it is asked before one.
_DETECTION_ORDER: tuple[type[FamilyRunner], ...] = (
    SALMRunner,
    HybridRunner,
    AEDRunner,
    TDTRunner,
    TransducerRunner,
    CTCRunner,
    GenericRunner,
)


class FamilyMismatchError(RegistryError):
    """The catalog's family for a model and the loaded checkpoint disagree."""


def detect_family(model: NemoModel) -> type[FamilyRunner] | None:
    """The family a loaded model is (None: not even NeMo's generic `transcribe()`)."""
    return next((cls for cls in _DETECTION_ORDER if cls.matches(model)), None)


def family_class(entry: ModelEntry, model: NemoModel) -> type[FamilyRunner]:
    """The entry's family class, refused unless the loaded model is of that family."""
    if not entry.family:
        found = detect_family(model)
        if found is None:
            raise FamilyMismatchError(f"model {entry.name}: the loaded {type(model).__name__} is no ASR model family")
        return found
    cls = FAMILY_CLASSES.get(entry.family, GenericRunner)
    if not cls.matches(model):
        found = detect_family(model)
        what = f"a {found.family} model" if found is not None else "of no known family"
        raise FamilyMismatchError(
            f"model {entry.name}: the catalog declares family '{entry.family}' but the loaded checkpoint is "
            f"{type(model).__name__}, {what}"
        )
    return cls


def runner_for(
    entry: ModelEntry, model: NemoModel, *, device: str, precision: str, decoder: str, word_confidence: bool
) -> FamilyRunner:
    cls = family_class(entry, model)
    return cls(model, device=device, precision=precision, decoder=decoder, word_confidence=word_confidence)
