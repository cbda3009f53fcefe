"""Every architecture spec is built (parameters on the meta device) and its parameters recounted.

The idea of torchvision's model schema tests: the count a spec builds must equal the figure
recorded in architectures.toml, and where it differs from the catalog's (the card's) figure by
more than 1% the spec must say why (`parameter_check`); a note where they agree is stale.
Specs with the same composed config are built once.
"""

from __future__ import annotations

import json

import pytest

from asr_registry.plugins.catalog_files import builtin_file
from asr_registry.shadow import specs

TOLERANCE = 0.01
ARCH = specs.load()
_BUILT: dict[str, int] = {}


def _count(spec: specs.ArchitectureSpec) -> int:
    from asr_registry.shadow.builder import parameters_of

    key = json.dumps([spec.model_class, specs.model_config(spec), spec.total_vocab], sort_keys=True, default=str)
    if key not in _BUILT:
        _BUILT[key] = parameters_of(spec)
    return _BUILT[key]


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(ARCH.specs))
def test_spec_builds_its_recorded_parameter_count(name: str) -> None:
    spec = ARCH.specs[name]
    built = _count(spec)
    assert spec.parameters == built, f"{name}: architectures.toml says {spec.parameters}, the spec builds {built}"
    claimed = spec.claimed or builtin_file().models[name].parameters
    if claimed is None:
        assert not spec.parameter_check, f"{name}: parameter_check but no claimed figure to disagree with"
        return
    off = abs(built - claimed) / claimed
    if off > TOLERANCE:
        assert spec.parameter_check, (
            f"{name}: builds {built:,}, the catalog claims {claimed:,} ({off:.1%}): explain or fix"
        )
    else:
        assert not spec.parameter_check, f"{name}: agrees within 1% ({off:.2%}): the parameter_check note is stale"


def test_known_shadow_counts_match_published_measurements() -> None:
    """Counts measured independently on shadows (shared/reference/shadow-architectures.md)."""
    measured = {
        "stt_en_fastconformer_hybrid_large_pc": 114_621_442,
        "stt_en_fastconformer_ctc_large": 115_600_385,
        "parakeet-tdt-0.6b-v2": 617_825_926,
        "parakeet-ctc-1.1b": 1_062_540_289,
        "canary-1b-flash": 883_554_432,
        "canary-180m-flash": 182_643_840,
        "stt_en_conformer_ctc_small": 13_154_033,
    }
    assert {name: ARCH.specs[name].parameters for name in measured} == measured
