"""Getting a NeMo model for a catalog entry: checksum, cache, download, restore.

Where checkpoints are cached (read from NeMo 3 and huggingface_hub sources):

* NGC names: `ASRModel.from_pretrained` downloads to
  `nemo.utils.data_utils.resolve_cache_dir() / <file stem> / md5(url+description) / <file>.nemo`;
  `resolve_cache_dir()` reads `NEMO_CACHE_DIR` at call time (default
  `~/.cache/torch/NeMo/NeMo_<version>`).
* HF names (`org/repo`): `from_pretrained` first asks `try_to_load_from_cache`,
  then `hf_hub_download`; both default to `huggingface_hub.constants.HF_HUB_CACHE`,
  computed from `HF_HUB_CACHE` / `HF_HOME` when huggingface_hub is first imported
  (default `~/.cache/huggingface/hub`) and read by the functions at call time.

With `--cache-dir DIR` or `ASR_REGISTRY_CACHE=DIR` both go under DIR (`DIR/nemo`,
`DIR/huggingface`): the env vars are set for anything imported later and the
already-imported constant is updated too. Without it the NeMo/HF defaults stay,
so checkpoints already downloaded by plain NeMo are reused.
"""

from __future__ import annotations

import logging
import os
import sys
import tarfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asr_registry.catalog.checksums import file_sha256
from asr_registry.catalog.schema import ModelEntry
from asr_registry.engine.hub import is_offline, quiet_nemo
from asr_registry.errors import RegistryError, first_line

log = logging.getLogger("asr_registry.engine")

CACHE_ENV = "ASR_REGISTRY_CACHE"


@dataclass(frozen=True)
class CacheDirs:
    root: Path | None  # None: NeMo/HF defaults
    nemo: Path
    huggingface: Path


@dataclass(frozen=True)
class CachedModel:
    name: str
    source: str  # "ngc:NAME" / "hf:ORG/REPO" / "file"
    path: Path
    size_bytes: int


# -- cache directories ------------------------------------------------------------------------
def cache_dirs(cache_dir: str | Path | None = None) -> CacheDirs:
    """The folders NeMo and huggingface_hub will use, after `configure_cache(cache_dir)`."""
    root_text = str(cache_dir) if cache_dir else os.environ.get(CACHE_ENV, "")
    if root_text:
        root = Path(root_text).expanduser().resolve()
        return CacheDirs(root, root / "nemo", root / "huggingface")
    nemo_env = os.environ.get("NEMO_CACHE_DIR", "")
    if nemo_env:
        nemo = Path(nemo_env).expanduser().resolve()
    else:
        nemo = Path.home() / ".cache" / "torch" / "NeMo" / f"NeMo_{_nemo_version()}"
    hub = os.environ.get("HF_HUB_CACHE") or os.environ.get("HUGGINGFACE_HUB_CACHE")
    if hub:
        hf = Path(hub).expanduser()
    else:
        hf = Path(os.environ.get("HF_HOME", Path.home() / ".cache" / "huggingface")).expanduser() / "hub"
    return CacheDirs(None, nemo, hf)


def _nemo_version() -> str:
    # Read from package metadata: importing nemo just for its version costs seconds.
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("nemo_toolkit")
    except PackageNotFoundError:
        return "unknown"


def configure_cache(cache_dir: str | Path | None = None) -> CacheDirs:
    """Point NeMo and huggingface_hub at our cache (see module docstring)."""
    dirs = cache_dirs(cache_dir)
    if dirs.root is not None:
        os.environ["NEMO_CACHE_DIR"] = str(dirs.nemo)
        os.environ["HF_HUB_CACHE"] = str(dirs.huggingface)
        constants = sys.modules.get("huggingface_hub.constants")
        if constants is not None:
            constants.HF_HUB_CACHE = str(dirs.huggingface)  # type: ignore[attr-defined]
    return dirs


# -- finding cached checkpoints (no NeMo import) ------------------------------------------------
def _hf_cached(repo: str, dirs: CacheDirs, revision: str = "") -> Path | None:
    from huggingface_hub import try_to_load_from_cache

    found = try_to_load_from_cache(
        repo_id=repo, filename=_nemo_file(repo), cache_dir=str(dirs.huggingface), revision=revision or None
    )
    if isinstance(found, str):
        return Path(found)
    if revision:
        return None  # NeMo's own snapshot cache records no revision: only the hub cache can prove a pin
    # Repos without a single .nemo are snapshot-downloaded by NeMo into its own cache.
    snapshot = dirs.nemo / "hf_hub_cache" / repo
    if snapshot.is_dir():
        for sub in sorted(snapshot.iterdir()):
            if sub.is_dir() and any(sub.iterdir()):
                return sub
    return None


def _nemo_file(repo: str) -> str:
    """The checkpoint file NVIDIA's hub repos hold: `<repo name>.nemo`, as NeMo's from_pretrained asks for."""
    return repo.rsplit("/", 1)[-1] + ".nemo"


def _ngc_cached(name: str, dirs: CacheDirs) -> Path | None:
    """NeMo's NGC layout is `<stem>/<md5>/<stem>.nemo`; the stem is the checkpoint's
    file name, which for NVIDIA's ASR models is the model name itself."""
    folder = dirs.nemo / name
    if not folder.is_dir():
        return None
    hits = sorted(folder.glob(f"*/{name}.nemo")) or sorted(folder.glob("*/*.nemo"))
    return hits[0] if hits else None


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def find_cached(entry: ModelEntry, dirs: CacheDirs) -> CachedModel | None:
    source = entry.source
    hit: Path | None = None
    label = ""
    if source.hf:
        hit, label = _hf_cached(source.hf, dirs, source.revision), f"hf:{source.hf}"
    if hit is None and source.ngc and not source.revision:  # a pinned checkpoint comes from its pin only
        hit, label = _ngc_cached(source.ngc, dirs), f"ngc:{source.ngc}"
    return CachedModel(entry.name, label, hit, _size(hit)) if hit is not None else None


def list_cached(entries: list[ModelEntry], cache_dir: str | Path | None = None) -> list[CachedModel]:
    dirs = cache_dirs(cache_dir)
    found = []
    for entry in entries:
        if entry.source.path or not entry.source.pretrained_name:
            continue
        hit = find_cached(entry, dirs)
        if hit is not None:
            found.append(hit)
    return found


# -- checks ------------------------------------------------------------------------------------
def require_published(entry: ModelEntry) -> None:
    if entry.published or (entry.status == "shadow" and entry.source.path):  # a local shadow (asr_registry.shadow)
        return
    subs = ", ".join(entry.substitutes) if entry.substitutes else "none listed"
    raise RegistryError(
        f"model {entry.name} is unverified: no published checkpoint exists to download; use a substitute ({subs})"
    )


def local_path(entry: ModelEntry) -> Path:
    path = Path(entry.source.path).expanduser()
    if not path.is_absolute():
        path = Path(entry.base_dir or ".") / path
    return path


# Files whose checksum matched, by (path, sha256) -> (size, mtime): the CLI verifies before
# importing torch and the loader verifies again; a multi-GB .nemo is hashed once.
_VERIFIED: dict[tuple[Path, str], tuple[int, int]] = {}


def verify_local(entry: ModelEntry) -> Path:
    """The entry's .nemo file, refused unless its sha256 matches the catalog's.

    Needs neither torch nor NeMo: commands call it before importing them, so a wrong
    checksum is refused in the time it takes to hash the file.
    """
    path = local_path(entry)
    if not path.is_file():
        raise RegistryError(f"model {entry.name}: checkpoint file not found: {path}")
    expected = entry.source.sha256.lower()
    stat = path.stat()
    key, stamp = (path.resolve(), expected), (stat.st_size, stat.st_mtime_ns)
    if _VERIFIED.get(key) == stamp:
        return path
    try:
        actual = file_sha256(path)
    except OSError as exc:
        raise RegistryError(f"model {entry.name}: cannot read {path}: {exc.strerror or exc}") from None
    if actual != expected:
        raise RegistryError(
            f"model {entry.name}: checksum mismatch for {path}: catalog sha256 {expected or '(none)'}, "
            f"file sha256 {actual}; refusing to load"
        )
    _VERIFIED[key] = stamp
    return path


def verify_before_load(entries: Sequence[ModelEntry]) -> None:
    """Everything about these entries that can be checked without torch or NeMo."""
    for entry in entries:
        require_published(entry)
        if entry.source.path:
            verify_local(entry)


def _check_archive(path: Path) -> None:
    if path.is_file() and not tarfile.is_tarfile(path):
        raise RegistryError(
            f"{path} is not a valid .nemo archive (interrupted download?); delete it and run the cache command again"
        )


# -- loading -----------------------------------------------------------------------------------
def _not_cached_error(entry: ModelEntry, dirs: CacheDirs, why: str) -> RegistryError:
    where = dirs.root or f"{dirs.nemo} / {dirs.huggingface}"
    return RegistryError(
        f"model {entry.name} ({entry.source.describe()}) is not cached in {where} and {why}; "
        f"run `asr-registry cache {entry.name}` on a machine with network access (same --cache-dir)"
    )


def fetch_pretrained(
    entry: ModelEntry, dirs: CacheDirs, *, load: bool, map_location: Any = None
) -> Any:  # torch device in, NeMo model (or its path) out
    """`ASRModel.from_pretrained`, turning network failures into one RegistryError.

    With `load=False` only the checkpoint is downloaded (NeMo's `return_model_file`)
    and its path returned: what `asr-registry cache` needs.
    """
    require_published(entry)
    if entry.source.hf and entry.source.revision:
        return _fetch_pinned(entry, dirs, load=load, map_location=map_location)
    cached = find_cached(entry, dirs)
    # Load whichever source is already cached (an entry may list both NGC and HF);
    # otherwise download from HF when listed (NeMo's preference), else NGC.
    name = cached.source.split(":", 1)[1] if cached is not None else entry.source.pretrained_name
    if cached is None and is_offline():
        raise _not_cached_error(entry, dirs, "HF_HUB_OFFLINE is set")
    quiet_nemo()
    from nemo.collections.asr.models import ASRModel

    quiet_nemo()
    try:
        result = ASRModel.from_pretrained(name, map_location=map_location, return_model_file=not load)
    except FileNotFoundError as exc:
        if "list_available_models" in str(exc):
            raise RegistryError(f"model {entry.name}: NeMo does not know the NGC name '{name}'") from None
        if cached is None:
            raise _not_cached_error(
                entry, dirs, f"could not be downloaded ({first_line(exc, with_type=True)})"
            ) from None
        raise
    except Exception as exc:
        if cached is None:
            raise _not_cached_error(
                entry, dirs, f"could not be downloaded ({first_line(exc, with_type=True)})"
            ) from None
        raise
    if not load:
        path = Path(result)
        _check_archive(path)
        return path
    return result


def _fetch_pinned(entry: ModelEntry, dirs: CacheDirs, *, load: bool, map_location: Any) -> Any:
    """The checkpoint at the catalog's pinned revision: NeMo's from_pretrained cannot take one, so the
    file comes from the hub (or its cache) with huggingface_hub, and NeMo restores it."""
    from huggingface_hub import hf_hub_download

    source = entry.source
    try:
        found = hf_hub_download(
            repo_id=source.hf,
            filename=_nemo_file(source.hf),
            revision=source.revision,
            cache_dir=str(dirs.huggingface),
            local_files_only=is_offline(),
        )
    except Exception as exc:  # offline and not cached, an unknown revision, the hub unreachable
        why = (
            "HF_HUB_OFFLINE is set" if is_offline() else f"could not be downloaded ({first_line(exc, with_type=True)})"
        )
        raise _not_cached_error(entry, dirs, f"revision {source.revision}: {why}") from None
    path = Path(found)
    _check_archive(path)
    if not load:
        return path
    quiet_nemo()
    from nemo.collections.asr.models import ASRModel

    quiet_nemo()
    try:
        return ASRModel.restore_from(str(path), map_location=map_location)
    except Exception as exc:
        raise RegistryError(f"model {entry.name}: cannot restore {path}: {first_line(exc, with_type=True)}") from None


def load_model(entry: ModelEntry, device: str, cache_dir: str | Path | None = None) -> Any:
    """A ready-to-run NeMo ASR model (eval mode, on `device`) for a catalog entry."""
    require_published(entry)
    if entry.family == "salm":
        # A speech LLM is no ASRModel: NeMo's speechlm2 SALM loads it (see engine/salm.py).
        from asr_registry.engine.salm import load_salm

        configure_cache(cache_dir)
        return load_salm(entry, device, local_path(entry) if entry.source.path else None)
    if entry.source.path:
        path = verify_local(entry)
        quiet_nemo()
        from nemo.collections.asr.models import ASRModel

        quiet_nemo()
        import torch

        try:
            model = ASRModel.restore_from(str(path), map_location=torch.device(device))
        except Exception as exc:
            raise RegistryError(
                f"model {entry.name}: cannot restore {path}: {first_line(exc, with_type=True)}"
            ) from None
    else:
        import torch

        dirs = configure_cache(cache_dir)
        model = fetch_pretrained(entry, dirs, load=True, map_location=torch.device(device))
    model.eval()
    return model


def download(entry: ModelEntry, cache_dir: str | Path | None = None) -> CachedModel:
    """Put an entry's checkpoint in the cache (no model is instantiated)."""
    require_published(entry)
    if entry.source.path:
        path = verify_local(entry)
        return CachedModel(entry.name, "file", path, _size(path))
    dirs = configure_cache(cache_dir)
    path = fetch_pretrained(entry, dirs, load=False)
    return CachedModel(entry.name, entry.source.describe(), path, _size(path))


def cast_model(model: Any, precision: str) -> Any:
    """Cast a loaded model's weights for a cast precision mode ("bf16" | "fp16"), as the Open ASR
    Leaderboard's NeMo runner does (`asr_model.to(torch.bfloat16)`); fp32 and autocast ("amp-*")
    modes keep fp32 weights.

    One thing stays fp32: the audio preprocessor (`model.preprocessor`, the mel featurizer). A plain
    `.to(bf16)` also casts its buffers (the STFT window and the mel filterbank): NeMo's
    `AudioPreprocessor.forward` then still computes in fp32 (it casts the input signal to fp32 and the
    buffers back, and disables autocast around the STFT and the filterbank product, because "the
    preprocessor is not robust to low precision mathematics", NeMo's own warning), but with a
    filterbank already rounded to 8 bits of mantissa. Keeping the module fp32 gives the features of
    the fp32 model; its `dtype_sentinel_tensor` (the dtype NeMo casts the features to on the way out)
    follows the cast, so the encoder receives features in the model's dtype. Everything after the
    features (encoder, decoder, joint, decoding) runs in the cast dtype, as on the leaderboard.
    """
    if precision not in ("bf16", "fp16"):
        return model
    import torch

    dtype = torch.bfloat16 if precision == "bf16" else torch.float16
    preprocessor = getattr(model, "preprocessor", None)
    children = getattr(model, "named_children", None)
    if preprocessor is None or children is None:
        return model.to(dtype)
    for _, child in children():
        if child is not preprocessor:
            child.to(dtype)
    sentinel = getattr(preprocessor, "dtype_sentinel_tensor", None)
    if isinstance(sentinel, torch.Tensor):
        preprocessor.dtype_sentinel_tensor = sentinel.to(dtype)
    return model
