"""`asr-registry doctor`: is this machine ready to run NeMo ASR models, and if not, what to do.

Each check gives a status (ok, warn, fail), what was found, and for anything not ok the fix.
Versions are read from package metadata (no NeMo import); compatibility is what the packages
themselves declare (asr-registry's own requirement on nemo_toolkit, NeMo's on torch). Hubs are
probed with one short HTTP request each, never when offline mode (HF_HUB_OFFLINE) is set.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

# The boundary every version check goes through (tests pass their own `version_of`).
from asr_registry.errors import installed_version

if TYPE_CHECKING:
    from asr_registry.catalog.schema import Catalog, ModelEntry

OK, WARN, FAIL = "ok", "warn", "fail"
HUB_TIMEOUT_S = 4.0
NGC_URL = "https://api.ngc.nvidia.com/v2/models/nvidia/nemo/stt_en_fastconformer_hybrid_large_pc"
HF_PROBE = "/api/models/nvidia/parakeet-tdt-0.6b-v2"

VersionOf = Callable[[str], str | None]


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    detail: str
    fix: str = ""


def _requirement(distribution: str, on: str, extra: str | None = None) -> str | None:
    """The version specifier `distribution` declares for `on` (e.g. '>=2.6.0'), if any."""
    from importlib.metadata import PackageNotFoundError, requires

    try:
        lines = requires(distribution) or []
    except PackageNotFoundError:
        return None
    from packaging.requirements import Requirement

    for line in lines:
        req = Requirement(line)
        if req.name.lower().replace("_", "-") != on.lower().replace("_", "-"):
            continue
        if req.marker is not None and not req.marker.evaluate({"extra": extra or ""}):
            continue
        return str(req.specifier)
    return None


def _satisfies(version: str, specifier: str) -> bool:
    from packaging.specifiers import SpecifierSet
    from packaging.version import InvalidVersion, Version

    try:
        return Version(version) in SpecifierSet(specifier, prereleases=True)
    except InvalidVersion:
        return False


def check_versions(version_of: VersionOf = installed_version) -> list[Check]:
    """NeMo and torch installed, and in the ranges asr-registry and NeMo declare."""
    checks = []
    nemo = version_of("nemo_toolkit")
    wanted_nemo = _requirement("asr-registry", "nemo_toolkit", extra="engine") or ">=2.4"
    if nemo is None:
        checks.append(
            Check(
                "NeMo",
                FAIL,
                "nemo_toolkit is not installed",
                f"pip install 'nemo_toolkit[asr]{wanted_nemo}' (or 'asr-registry[engine]')",
            )
        )
    elif not _satisfies(nemo, wanted_nemo):
        checks.append(
            Check(
                "NeMo",
                FAIL,
                f"nemo_toolkit {nemo}; asr-registry needs {wanted_nemo}",
                f"pip install -U 'nemo_toolkit[asr]{wanted_nemo}'",
            )
        )
    else:
        checks.append(Check("NeMo", OK, f"nemo_toolkit {nemo} (asr-registry needs {wanted_nemo})"))
    torch = version_of("torch")
    wanted_torch = _requirement("nemo_toolkit", "torch") if nemo else None
    if torch is None:
        checks.append(Check("torch", FAIL, "torch is not installed", "pip install torch (the CUDA build for a GPU)"))
    elif wanted_torch and not _satisfies(torch.split("+")[0], wanted_torch):
        checks.append(
            Check(
                "torch",
                FAIL,
                f"torch {torch}; nemo_toolkit {nemo} needs torch{wanted_torch}",
                f"pip install 'torch{wanted_torch}'",
            )
        )
    else:
        need = f" (nemo_toolkit needs torch{wanted_torch})" if wanted_torch else ""
        checks.append(Check("torch", OK, f"torch {torch}{need}"))
    return checks


def _nvidia_gpu_present() -> str:
    """What the driver reports without torch: `nvidia-smi -L` output, '' when there is none."""
    if shutil.which("nvidia-smi") is None:
        return ""
    try:
        done = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def check_gpus() -> tuple[list[Check], list[dict[str, Any]]]:
    """CUDA build and devices with free memory; a GPU that torch cannot use is a failure."""
    try:
        import torch
    except ImportError:
        return [], []
    driver = _nvidia_gpu_present()
    cuda_build = torch.version.cuda
    if not torch.cuda.is_available():
        if driver and not cuda_build:
            return [
                Check(
                    "GPU",
                    FAIL,
                    f"an NVIDIA GPU is present ({driver.splitlines()[0]}) but torch {torch.__version__} is a CPU build",
                    "install a CUDA build of torch: https://pytorch.org/get-started/locally/",
                )
            ], []
        if driver:
            return [
                Check(
                    "GPU",
                    FAIL,
                    f"{driver.splitlines()[0]} present, CUDA {cuda_build} build, but CUDA is not available to torch",
                    "check the driver version against the torch CUDA build (nvidia-smi) and CUDA_VISIBLE_DEVICES",
                )
            ], []
        return [
            Check(
                "GPU",
                WARN,
                f"no GPU found (torch {torch.__version__}, CUDA build: {cuda_build or 'none'}); "
                "models run on CPU, slowly",
                "run on a machine with an NVIDIA GPU for real workloads",
            )
        ], []
    gpus = []
    for index in range(torch.cuda.device_count()):
        free, total = torch.cuda.mem_get_info(index)
        gpus.append(
            {
                "index": index,
                "name": torch.cuda.get_device_name(index),
                "free_gb": round(free / 1e9, 2),
                "total_gb": round(total / 1e9, 2),
                "bf16": torch.cuda.is_bf16_supported(),
            }
        )
    text = "; ".join(f"{g['index']}: {g['name']}, {g['free_gb']:.1f} of {g['total_gb']:.1f} GB free" for g in gpus)
    return [Check("GPU", OK, f"CUDA {cuda_build}; {text}")], gpus


def check_cuda_graphs(gpus: list[dict[str, Any]]) -> list[Check]:
    """Whether NeMo's CUDA-graph greedy decoders can run here (`--cuda-graphs auto` uses them then)."""
    from asr_registry.engine.cuda_graphs import cuda_graph_support

    if not gpus:
        # Not a problem: NeMo's CUDA-graph decoders only ever run on a GPU.
        return [Check("CUDA graphs", OK, "CUDA-graph decoding: unsupported (no CUDA)")]
    supported, why = cuda_graph_support("cuda")
    if supported:
        return [Check("CUDA graphs", OK, "CUDA-graph decoding: supported (--cuda-graphs auto uses it)")]
    return [
        Check(
            "CUDA graphs",
            WARN,
            f"CUDA-graph decoding: unsupported ({why}); decoding runs without it",
            "pip install 'cuda-python>=12.3' and update the NVIDIA driver, or pass --cuda-graphs off",
        )
    ]


def check_cache(catalog: Catalog) -> list[Check]:
    from asr_registry.engine.loading import cache_dirs, list_cached

    dirs = cache_dirs()
    checks = []
    for label, folder in (("NeMo cache", dirs.nemo), ("HF cache", dirs.huggingface)):
        existing = folder
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        free = shutil.disk_usage(existing).free / 1e9
        if not os.access(existing, os.W_OK):
            checks.append(
                Check(label, FAIL, f"{folder} is not writable", "set ASR_REGISTRY_CACHE to a writable folder")
            )
        elif free < 5:
            checks.append(
                Check(label, WARN, f"{folder}: only {free:.1f} GB free", "free disk space: a model is 0.1-5 GB")
            )
        else:
            checks.append(Check(label, OK, f"{folder} ({free:.0f} GB free)"))
    cached = list_cached(sorted(catalog.models.values(), key=lambda e: e.name))
    names = ", ".join(f"{c.name} ({c.size_bytes / 1e6:,.0f} MB)" for c in cached) or "none"
    checks.append(Check("cached models", OK, names))
    return checks


def _probe(url: str) -> str:
    """'' when the host answered (any HTTP status), else why not."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, method="HEAD", headers={"User-Agent": "asr-registry-doctor"})
    try:
        urllib.request.urlopen(request, timeout=HUB_TIMEOUT_S).close()
    except urllib.error.HTTPError:
        return ""  # it answered
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return str(reason) or type(exc).__name__
    return ""


def check_hubs() -> list[Check]:
    from asr_registry.engine.loading import is_offline

    if is_offline():
        return [
            Check(
                "hubs",
                OK,
                "offline mode (HF_HUB_OFFLINE or TRANSFORMERS_OFFLINE is set): Hugging Face and NGC not contacted; "
                "only cached models can load",
            )
        ]
    hf = os.environ.get("HF_ENDPOINT", "https://huggingface.co").rstrip("/")
    checks = []
    for name, url in (("Hugging Face", hf + HF_PROBE), ("NGC", NGC_URL)):
        started = time.perf_counter()
        why = _probe(url)
        if why:
            checks.append(
                Check(
                    name,
                    FAIL,
                    f"{url.split('/', 3)[2]} unreachable: {why}",
                    "check the network or proxy (HTTPS_PROXY); on a machine without network set "
                    "HF_HUB_OFFLINE=1 and pre-fetch models with `asr-registry cache`",
                )
            )
        else:
            checks.append(Check(name, OK, f"{url.split('/', 3)[2]} answered in {time.perf_counter() - started:.1f} s"))
    return checks


def check_model(name: str, catalog: Catalog) -> tuple[list[Check], ModelEntry | None]:
    """Is MODEL in the catalog, in NeMo's list, cached, with an architecture spec? Returns (checks, entry)."""
    from asr_registry.errors import RegistryError

    try:
        entry = catalog.find(name)
    except RegistryError as exc:
        return [Check("model", FAIL, str(exc), "pick a name from `asr-registry list` or `asr-registry select`")], None
    checks = []
    if entry.status == "unverified":
        checks.append(
            Check(
                "model",
                FAIL,
                f"{entry.name} is unverified: no published checkpoint",
                f"use a substitute: {', '.join(entry.substitutes) or 'none listed'}",
            )
        )
    else:
        checks.append(Check("model", OK, f"{entry.name} ({entry.status}, {entry.source.describe()})"))
    if entry.source.ngc:
        from asr_registry.doctor.nemo_check import nemo_asr_model_names, nemo_installed

        if nemo_installed():
            version, joined = nemo_asr_model_names()
            if entry.source.ngc in joined.split("\n"):
                checks.append(Check("NeMo list", OK, f"NeMo {version} lists '{entry.source.ngc}'"))
            else:
                fix = f"load it from Hugging Face ({entry.source.hf})" if entry.source.hf else "upgrade NeMo"
                checks.append(Check("NeMo list", WARN, f"NeMo {version} does not list '{entry.source.ngc}'", fix))
    from asr_registry.shadow.specs import load

    spec = load().specs.get(entry.name)
    checks.append(
        Check(
            "architecture",
            OK if spec else WARN,
            f"spec {spec.model_class}, {spec.parameters:,} parameters" if spec else "no architecture spec",
            "" if spec else "memory can only be measured on the real checkpoint",
        )
    )
    return checks, entry


def check_loading(entry: ModelEntry, device: str) -> list[Check]:
    """Memory before and after loading the model: the real checkpoint when cached, else its shadow."""
    import torch

    from asr_registry.engine.loading import cache_dirs, find_cached

    cached = entry.source.path or find_cached(entry, cache_dirs()) is not None
    on_gpu = device == "cuda"

    def used() -> float:
        if on_gpu:
            free, total = torch.cuda.mem_get_info()
            return (total - free) / 1e9
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6  # peak RSS, GB (Linux: KiB)

    before = used()
    started = time.perf_counter()
    try:
        if cached:
            from asr_registry.engine.loading import load_model

            model = load_model(entry, device)
            what = "checkpoint"
        else:
            from asr_registry.shadow.builder import build
            from asr_registry.shadow.specs import get_spec

            model = build(get_spec(entry.name)).to(device)
            what = "shadow (random weights; the checkpoint is not cached)"
    except Exception as exc:
        return [
            Check(
                "load",
                FAIL,
                f"loading {entry.name} failed: {type(exc).__name__}: {str(exc).splitlines()[0]}",
                f"asr-registry cache {entry.name}",
            )
        ]
    after = used()
    kind = "GPU memory in use" if on_gpu else "peak process memory"
    del model
    return [
        Check(
            "load",
            OK,
            f"{what} loaded on {device} in {time.perf_counter() - started:.0f} s; {kind} "
            f"{before:.2f} -> {after:.2f} GB",
        )
    ]


def run(catalog: Catalog, model: str | None = None, load: bool | None = None) -> tuple[list[Check], dict[str, Any]]:
    """Every check in order; `load` (default: when a GPU is present) also loads MODEL.

    The caller hands in the catalog (the CLI: the plugins' catalog): doctor sits below the plugin system.
    """
    import platform

    checks = [Check("python", OK, f"Python {platform.python_version()} on {platform.machine()}")]
    checks += check_versions()
    gpu_checks, gpus = check_gpus()
    checks += gpu_checks
    checks += check_cuda_graphs(gpus)
    checks += check_cache(catalog)
    checks += check_hubs()
    facts: dict[str, Any] = {"gpus": gpus}
    if model:
        model_checks, entry = check_model(model, catalog)
        checks += model_checks
        if entry is not None and entry.status != "unverified" and (load if load is not None else bool(gpus)):
            checks += check_loading(entry, "cuda" if gpus else "cpu")
    return checks, facts
