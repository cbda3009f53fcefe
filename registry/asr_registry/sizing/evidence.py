"""A sized figure and where it came from: every batch size and GB figure the tool shows is one of these."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# Best first. "measured": on this GPU class (a catalog figure or a GPU check report); "memory model":
# the architecture's fitted activations + weights; "parameters": weights from the parameter count +
# allowances; "knee"/"protocol": where the batch to run is capped; "flag": the user's own value;
# "cpu default": the CPU batch; "unknown": nothing to stand on (never counts as "fits").
Basis = Literal["flag", "measured", "memory model", "parameters", "knee", "protocol", "cpu default", "unknown"]


@dataclass(frozen=True)
class Evidence:
    """One figure (GB or a batch size), the kind of evidence behind it, and the exact source."""

    value: float | None
    basis: Basis
    source: str  # e.g. "catalog claim (card)", "gpu_check.json (NVIDIA H100 80GB HBM3)", "memory_models.toml"
    detail: str = ""  # how it was derived, for people

    @property
    def known(self) -> bool:
        return self.value is not None and self.basis != "unknown"

    def describe(self) -> str:
        """'basis: detail (source)', what `select`, `transcribe` and the plan print."""
        text = self.detail or self.basis
        return f"{text} ({self.source})" if self.source and self.source not in text else text
