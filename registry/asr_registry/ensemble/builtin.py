"""The default plugin that contributes the built-in combiners: rover, majority, best-confidence."""

from __future__ import annotations

from collections.abc import Callable

from asr_registry.plugins.hookspecs import hookimpl


@hookimpl
def register_combiners(register: Callable[..., None]) -> None:
    # Imported here, not at module level: every CLI start loads this plugin module.
    from asr_registry.ensemble.rover import Rover
    from asr_registry.ensemble.voting import BestConfidence, MajorityVote

    register(
        "rover",
        Rover,
        "ROVER (Fiscus 1997): align the members' words into a word transition network and vote per "
        "position; method=freq|avgconf|maxconf, alpha (weight of frequency vs confidence), null_conf",
    )
    register("majority", MajorityVote, "the transcript most members produced exactly; ties go to the earliest member")
    register(
        "best-confidence",
        BestConfidence,
        "the transcript of the member with the highest mean word confidence (members without confidences skipped)",
    )
