from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from asr_registry.catalog import cache as catalog_cache
from asr_registry.errors import CatalogError
from asr_registry.plugins.catalog_files import builtin_catalog_path, checked_catalog_file
from tests.support import minimal_model


@pytest.fixture
def catalog_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = tmp_path / "models.toml"
    shutil.copyfile(builtin_catalog_path(), path)
    return path


def _pickles(root: Path) -> list[Path]:
    return sorted((root / "cache" / "asr-registry").glob("catalog-*.pickle"))


def test_a_parsed_catalog_comes_back_from_the_cache(catalog_copy: Path) -> None:
    assert catalog_cache.load(str(catalog_copy)) is None
    parsed = checked_catalog_file(str(catalog_copy))
    assert len(_pickles(catalog_copy.parent)) == 1
    assert catalog_cache.load(str(catalog_copy)) == parsed


def test_an_edited_file_is_parsed_again_and_replaces_its_pickle(catalog_copy: Path) -> None:
    checked_catalog_file(str(catalog_copy))
    text = catalog_copy.read_text(encoding="utf-8")
    catalog_copy.write_text(text + "\n" + minimal_model("added-later"))
    assert catalog_cache.load(str(catalog_copy)) is None
    assert checked_catalog_file(str(catalog_copy)).find("added-later").name == "added-later"
    assert len(_pickles(catalog_copy.parent)) == 1

    catalog_copy.write_text(text + "\n" + minimal_model("broken", status='"nonsense"'))
    with pytest.raises(CatalogError, match="broken"):
        checked_catalog_file(str(catalog_copy))  # a bad edit is never hidden by an old pickle


def test_an_unwritable_cache_folder_changes_nothing(catalog_copy: Path) -> None:
    if os.geteuid() == 0:
        # root ignores permissions: block the folder with a file instead.
        (catalog_copy.parent / "cache").write_text("not a folder")
    else:
        (catalog_copy.parent / "cache").mkdir(mode=0o500)
    parsed = checked_catalog_file(str(catalog_copy))
    assert parsed.find("stt_en_fastconformer_hybrid_large_pc") is not None
    assert catalog_cache.load(str(catalog_copy)) is None
    assert not list(catalog_copy.parent.glob("*.tmp"))


def test_a_planted_pickle_is_never_unpickled(catalog_copy: Path) -> None:
    import pickle

    checked_catalog_file(str(catalog_copy))
    [stored] = _pickles(catalog_copy.parent)
    marker = catalog_copy.parent / "planted-code-ran"

    class Payload:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (open, (str(marker), "w"))

    # A well-formed pickle of the right shape, but not signed with this user's secret.
    stored.write_bytes(pickle.dumps((catalog_cache._key(str(catalog_copy)), Payload())))
    assert catalog_cache.load(str(catalog_copy)) is None
    # The same payload behind the right header but a forged signature is refused as well.
    data = pickle.dumps((catalog_cache._key(str(catalog_copy)), Payload()))
    stored.write_bytes(catalog_cache._MAGIC + b"\0" * 32 + data)
    assert catalog_cache.load(str(catalog_copy)) is None
    assert not marker.exists()
    assert checked_catalog_file(str(catalog_copy)).find("stt_en_fastconformer_hybrid_large_pc") is not None


def test_the_secret_is_private_to_the_user(catalog_copy: Path) -> None:
    checked_catalog_file(str(catalog_copy))
    secret = catalog_copy.parent / "cache" / "asr-registry" / "secret"
    assert secret.stat().st_mode & 0o077 == 0 and len(secret.read_bytes()) == 32
