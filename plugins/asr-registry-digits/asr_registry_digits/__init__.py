"""asr-registry plugin: tiny NeMo models (CTC, hybrid, TDT, multitask AED) for spoken digit strings, and their test sets.

The models are real `.nemo` files trained by `scripts/build_models.py` on synthetic speech
(espeak-ng + sox); their claims in `models.toml` were measured by that script.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from asr_registry import Dataset, hookimpl, register_catalog_file

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"
SPLITS = {"test": "held-out voices and variants", "dev": "for tuning ensembles; voices seen in training"}


@hookimpl
def register_models(register: Callable[..., None]) -> None:
    register_catalog_file(register, PACKAGE_DIR / "models.toml")


@hookimpl
def register_datasets(register: Callable[..., None]) -> None:
    for split, description in SPLITS.items():
        manifest = DATA_DIR / split / "manifest.jsonl"
        if manifest.is_file():
            # Scored word by word: the English normaliser would fold each digit string into one number.
            register(
                Dataset(
                    name="digits",
                    split=split,
                    manifest=str(manifest),
                    language="en",
                    description=f"synthetic spoken digit strings, {description}",
                    normalizer="basic",
                )
            )
    spanish = DATA_DIR / "test_es" / "manifest.jsonl"
    if spanish.is_file():
        # Spanish digits for the multilingual AED model (its prompt's source_lang comes from `language`).
        register(
            Dataset(
                name="digits-es",
                split="test",
                manifest=str(spanish),
                language="es",
                description="synthetic spoken Spanish digit strings, held-out accent and variants",
                normalizer="basic",
            )
        )
