"""Build a shadow: the real NeMo architecture of a catalog model with random weights.

`build(spec)` instantiates the spec's NeMo model class on its composed config with a locally
trained tokenizer of the right size. `build(spec, empty=True)` registers every parameter on
the meta device as it is created, so a 1B-parameter model is counted in seconds and a few
hundred MB (NeMo's modules compute sizes with tensor ops at construction, so building
under `torch.device("meta")` itself fails).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from asr_registry.shadow.specs import ArchitectureSpec, load, model_config
from asr_registry.shadow.tokenizers import bpe_tokenizer, canary_special_tokenizer

SHADOW_KEY = "asr_registry_shadow"  # marker in a saved shadow's config: never a real checkpoint


def _tokenizer_block(spec: ArchitectureSpec) -> dict[str, Any]:
    if spec.base.tokenizer == "canary":
        langs: dict[str, Any] = {
            "spl_tokens": {"dir": str(canary_special_tokenizer(spec.special_tokens)), "type": "bpe"}
        }
        for number, language in enumerate(spec.languages):
            langs[language] = {"dir": str(bpe_tokenizer(spec.vocab_size, seed=number)), "type": "bpe"}
        return {
            "dir": None,
            "type": "agg",
            "langs": langs,
            "custom_tokenizer": {
                "_target_": "nemo.collections.common.tokenizers.canary_tokenizer.CanaryTokenizer",
                "tokenizers": None,
            },
        }
    return {"dir": str(bpe_tokenizer(spec.vocab_size)), "type": "bpe"}


def nemo_config(spec: ArchitectureSpec) -> Any:
    """The resolved OmegaConf model config NeMo's class is built from."""
    from omegaconf import OmegaConf

    block = model_config(spec)
    block.setdefault("sample_rate", 16000)
    block["tokenizer"] = _tokenizer_block(spec)
    # A BPE model's transcribe() reads validation_ds (ConfigAttributeError without it).
    block["validation_ds"] = {
        "manifest_filepath": None,
        "sample_rate": 16000,
        "batch_size": 16,
        "shuffle": False,
        "use_start_end_token": False,
        "num_workers": 0,
        "pin_memory": False,
    }
    if spec.base.tokenizer == "canary":
        del block["validation_ds"]  # Lhotse-only data setup would want a manifest
    block[SHADOW_KEY] = {
        "model": spec.name,
        "model_class": spec.model_class,
        "config": spec.base.config,
        "nemo_commit": load().nemo_commit,
        "note": "random weights: architecture, memory and encoder speed only",
    }
    root = OmegaConf.create({"model": block})
    OmegaConf.resolve(root)
    return root.model


@contextlib.contextmanager
def empty_weights() -> Iterator[None]:
    """Parameters are moved to the meta device as they are registered: no weight memory, no init cost."""
    import torch

    original = torch.nn.Module.register_parameter

    def register(module: torch.nn.Module, name: str, param: torch.nn.Parameter | None) -> None:
        original(module, name, param)
        if param is not None and param.device.type != "meta":
            kind = type(param)
            module._parameters[name] = kind(param.to("meta"), requires_grad=param.requires_grad)

    torch.nn.Module.register_parameter = register  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        torch.nn.Module.register_parameter = original  # type: ignore[method-assign]


def quiet() -> None:
    import logging

    logging.getLogger("nv_one_logger").setLevel(logging.ERROR)
    try:
        from nemo.utils import logging as nemo_logging

        nemo_logging.set_verbosity(logging.ERROR)
    except ImportError:  # pragma: no cover
        pass


def model_class(name: str) -> Any:
    """NeMo's ASR model class `name` (importing NeMo costs ~10 s the first time)."""
    quiet()
    import nemo.collections.asr.models as asr_models

    quiet()
    return getattr(asr_models, name)


@contextlib.contextmanager
def _not_restoring() -> Iterator[None]:
    """NeMo keeps the last restored `.nemo` path process-wide (AppState): a multitask (AED) model
    built from a config after any restore looks for a timestamp model inside that other file."""
    from nemo.utils.app_state import AppState

    state = AppState()
    previous = state.model_restore_path
    state.model_restore_path = None
    try:
        yield
    finally:
        state.model_restore_path = previous


def build(spec: ArchitectureSpec, *, empty: bool = False, seed: int = 0) -> Any:
    """The shadow model (eval mode, CPU, fp32); with `empty=True` its parameters are on meta."""
    import torch

    cls = model_class(spec.model_class)
    cfg = nemo_config(spec)
    torch.manual_seed(seed)
    with empty_weights() if empty else contextlib.nullcontext(), _not_restoring():
        model = cls(cfg=cfg)
    return model.eval()


def count_parameters(model: Any) -> int:
    return sum(p.numel() for p in model.parameters())


def parameters_of(spec: ArchitectureSpec) -> int:
    """Parameter count of a spec, built on the meta device."""
    return count_parameters(build(spec, empty=True))


def is_shadow(model_or_cfg: Any) -> bool:
    cfg = getattr(model_or_cfg, "cfg", model_or_cfg)
    try:
        return SHADOW_KEY in cfg
    except TypeError:
        return False


def save(model: Any, path: str | os.PathLike[str]) -> Path:
    """Write the shadow as a .nemo atomically (NeMo's save_to, then rename)."""
    target = Path(path)
    if target.suffix != ".nemo":
        raise ValueError(f"{target}: a shadow is saved as a .nemo file")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial{os.getpid()}.nemo")
    model.save_to(str(partial))
    partial.replace(target)
    return target
