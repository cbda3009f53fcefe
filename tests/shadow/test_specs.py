"""architectures.toml: every published Conformer-family model has a spec, and bad specs are reported."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from asr_registry.plugins.catalog_files import builtin_file
from asr_registry.shadow import specs

# Published models of the Conformer families the specs do not cover yet, with the reason.
NOT_COVERED = {
    "stt_zh_conformer_transducer_large": "character vocabulary (EncDecRNNTModel): no character base yet",
    "canary-1b-v2": "its encoder/decoder depths and tokenizer were not read from a card",
    "canary-qwen-2.5b": "SALM (FastConformer + Qwen LLM): not an ASR model class the builder knows",
    "nemotron-3.5-asr-streaming-0.6b": "multilingual vocabulary not read",
    "multitalker-parakeet-streaming-0.6b-v1": "speaker-kernel injection modules beyond the published configs",
    "parakeet-rnnt-110m-da-dk": "its card was not read (no hub access here): depth and vocabulary unknown",
}


def test_every_published_conformer_family_model_has_a_spec() -> None:
    catalog = builtin_file()
    arch = specs.load()
    wanted = {
        name
        for name, entry in catalog.models.items()
        if entry.published and entry.architecture in ("fastconformer", "conformer")
    }
    assert sorted(wanted - set(arch.specs) - set(NOT_COVERED)) == []
    assert len(arch.specs) >= 38


def test_specs_agree_with_the_catalog() -> None:
    catalog = builtin_file()
    arch = specs.load()
    assert arch.problems == ()
    assert specs.check_against_catalog(arch, catalog.models, set(catalog.sources)) == []
    assert len(arch.nemo_commit) == 40


def test_overrides_change_the_composed_config() -> None:
    spec = specs.get_spec("parakeet-tdt-0.6b-v2")
    block = specs.model_config(spec)
    assert block["encoder"]["d_model"] == 1024 and block["encoder"]["use_bias"] is False
    assert block["preprocessor"]["features"] == 128
    # TDT block from the TDT base, transducer blocks from the base it extends.
    assert block["model_defaults"]["tdt_durations"] == [0, 1, 2, 3, 4]
    assert block["decoder"]["prednet"]["pred_rnn_layers"] == 2
    assert block["decoder"]["normalization_mode"] is None  # "None" in TOML is YAML's null
    hybrid = specs.model_config(specs.get_spec("stt_en_fastconformer_hybrid_large_streaming_80ms"))
    assert hybrid["encoder"]["att_context_size"] == [70, 1]
    assert hybrid["encoder"]["conv_context_size"] == "causal"
    assert "aux_ctc" in hybrid


def test_unknown_model_is_a_clear_error() -> None:
    with pytest.raises(specs.CatalogError, match=r"no architecture spec for 'parakeet-tdt-0\.6b-v9'.*did you mean"):
        specs.get_spec("parakeet-tdt-0.6b-v9")


def test_reading_specs_imports_no_torch() -> None:
    code = (
        "import sys; from asr_registry.shadow import specs; a = specs.load(); "
        "specs.model_config(a.specs['canary-1b-flash']); print(sorted({'torch', 'numpy', 'nemo'} & set(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def _write(tmp_path: Path, text: str) -> Path:
    base = (
        Path(specs.architectures_path())
        .read_text(encoding="utf-8")
        .split("# ---------------------------------------------------------------- models")[0]
    )
    path = tmp_path / "architectures.toml"
    path.write_text(base + textwrap.dedent(text), encoding="utf-8")
    return path


def test_bad_specs_are_reported_with_their_field(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
        [architectures.stt_en_fastconformer_ctc_large]
        base = "fastconformer-ctc-bpe"
        vocab_size = 1024
        overrides = { "encodr.n_layers" = 18 }
        evidence = "x"

        [architectures.nonexistent_model]
        base = "no-such-base"
        vocab_size = 1024

        [architectures.canary-1b]
        base = "fastconformer-aed"
        vocab_size = 1024
        evidence = "x"
        paramters = 5
        """,
    )
    arch = specs.parse(str(path))
    text = "\n".join(arch.problems)
    assert "architectures.stt_en_fastconformer_ctc_large.overrides: 'encodr.n_layers' names no section" in text
    assert "architectures.nonexistent_model.base: unknown base 'no-such-base'" in text
    assert "architectures.canary-1b: unknown key(s) paramters" in text
    assert "architectures.canary-1b: a Canary spec needs 'languages' and 'special_tokens'" in text
    catalog = builtin_file()
    extra = specs.check_against_catalog(
        specs.parse(
            str(
                _write(
                    tmp_path,
                    """
        [architectures.not_in_catalog]
        base = "fastconformer-ctc-bpe"
        vocab_size = 128
        evidence = "x"
        sources = ["nowhere"]
        """,
                )
            )
        ),
        catalog.models,
        set(catalog.sources),
    )
    assert extra == ["architectures.toml: architectures.not_in_catalog: no catalog model of that name"]
