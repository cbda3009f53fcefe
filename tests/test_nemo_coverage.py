"""With NeMo installed, every model of NeMo's own list is in the catalog or in its exclusion list."""

from __future__ import annotations

import pytest

from asr_registry.doctor.nemo_check import cross_check, nemo_installed
from asr_registry.plugins.catalog_files import builtin_file


@pytest.mark.skipif(not nemo_installed(), reason="NeMo is not installed")
def test_no_nemo_model_is_missing_or_unexplained() -> None:
    check = cross_check(builtin_file())  # imports NeMo (~10 s)
    assert check.known_to_nemo >= 80
    assert check.missing_from_catalog == () and check.unknown_to_nemo == ()
    assert {"asr_talknet_aligner", "vad_multilingual_frame_marblenet"} <= set(check.excluded)
