"""Starting or joining Ray, and sizing the actor pool from what the cluster has.

Without an address a local Ray is started in this process (it ends with the process);
with one (`HOST:6379`, `auto`, `ray://...`) the driver joins a running cluster, started with

    ray start --head --port 6379                 # on the head node
    ray start --address HEAD_IP:6379             # on every other node

Every node needs the same environment (asr-registry, its plugins, NeMo) and must see
the audio at the same paths. The variables that configure asr-registry, NeMo and
Hugging Face on the driver are forwarded to a joined cluster's workers (`runtime_env`), so
catalog, plugin selection, caches and offline mode are the same everywhere; a local Ray's
workers inherit them from this process.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from typing import Any

from asr_registry.errors import RegistryError

FORWARDED_PREFIXES = ("ASR_REGISTRY_", "HF_", "NEMO_", "TRANSFORMERS_", "HUGGINGFACE_")


@dataclass(frozen=True)
class Cluster:
    address: str  # "local" when this process started it
    started_here: bool
    startup_seconds: float
    nodes: int
    cpus: float
    gpus: float


def forwarded_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k.startswith(FORWARDED_PREFIXES)}


def local_cpus_for(workers: int | None) -> int:
    """Logical CPUs for a local Ray: the machine's, and one more than the workers asked for
    (CPU actors never take the last one: see `size_pool`)."""
    return max(os.cpu_count() or 1, (workers or 0) + 1)


def connect(address: str | None, *, local_cpus: int, verbose: bool = False) -> Cluster:
    """Join `address`, or start a local Ray with `local_cpus` logical CPUs."""
    try:
        import ray
    except ImportError:
        raise RegistryError("--executor ray needs Ray: pip install 'asr-registry[scale]' (or 'ray[data]')") from None
    # As `ray.init()` itself does: RAY_ADDRESS names the cluster to join when no address is given.
    address = address or os.environ.get("RAY_ADDRESS") or None
    if address:
        _probe(address)
    started = time.perf_counter()
    options: dict[str, object] = dict(
        log_to_driver=verbose,
        logging_level=logging.INFO if verbose else logging.WARNING,
        include_dashboard=False,
        ignore_reinit_error=True,
    )
    try:
        if address:
            # A local Ray's workers inherit this process's environment; a cluster's do not. On a
            # local Ray a runtime_env only costs: the workers Ray prestarts at init do not match it,
            # and a Ray Data actor pool took 3.0 s to start with one against 1.3-1.8 s without.
            ray.init(address=address, runtime_env={"env_vars": forwarded_env()}, **options)  # type: ignore[arg-type]
        else:
            # Ray starts its workers at nice 15 by default: beside any other work the run would crawl
            # (the Ray tests took 200-585 s instead of 10-60 s on a busy machine). Its own run, its own priority.
            ray.init(num_cpus=local_cpus, _system_config={"worker_niceness": 0}, **options)  # type: ignore[arg-type]
    except ConnectionError as exc:
        raise RegistryError(f"--address {address}: cannot join the Ray cluster ({exc})") from None
    resources = ray.cluster_resources()
    nodes = sum(1 for node in ray.nodes() if node.get("Alive"))
    return Cluster(
        address=address or "local",
        started_here=not address,
        startup_seconds=time.perf_counter() - started,
        nodes=nodes,
        cpus=float(resources.get("CPU", 0)),
        gpus=float(resources.get("GPU", 0)),
    )


def _probe(address: str, timeout: float = 5.0) -> None:
    """Fail in seconds on a HOST:PORT where nothing listens (Ray itself retries for minutes)."""
    import socket

    host, sep, port = address.rpartition(":")
    if not sep or "/" in address or not port.isdigit():
        return  # "auto", "ray://...": left to Ray
    try:
        socket.create_connection((host, int(port)), timeout=timeout).close()
    except OSError as exc:
        raise RegistryError(
            f"--address {address}: no Ray cluster answers there ({exc.strerror or exc}); "
            "start one with `ray start --head --port PORT`, or leave --address out for a local Ray"
        ) from None


def disconnect() -> None:
    """Leave the cluster; a local Ray this process started ends with it."""
    import ray

    if ray.is_initialized():
        _end_local_autoscaler()
        ray.shutdown()


def _end_local_autoscaler() -> None:
    """End the autoscaler monitor of a local Ray before `ray.shutdown()` stops the rest.

    On one machine it has nothing to scale, and it does not answer the SIGTERM of Ray's
    shutdown: Ray waits a full second on it before it kills it (measured in Ray 2.60: 1.02 s
    of a 1.40 s shutdown), a second every local run would pay. The process list is Ray's
    internal state, so any surprise in it leaves the shutdown as Ray does it.
    """
    try:
        from ray._private import worker

        node = worker._global_node
        monitors: list[Any] = node.all_processes.get("monitor", []) if node is not None else []
        for info in monitors:
            info.process.kill()
            info.process.wait(timeout=5)
    except Exception:  # an optimisation only: Ray's own shutdown follows
        return


@dataclass(frozen=True)
class PoolSize:
    workers: int
    gpus_per_worker: float
    cpus_per_worker: float
    threads: int  # torch threads per actor


def size_pool(cluster: Cluster, workers: int | None, gpus_per_worker: float | None) -> PoolSize:
    """One actor per GPU on a GPU cluster; on CPUs, one per CPU but one left for Ray Data.

    Ray Data stalls (backpressure on its resource budget) when the actors hold every
    CPU, so CPU actors never take the last one.
    """
    if gpus_per_worker is None:
        gpus_per_worker = 1.0 if cluster.gpus >= 1 else 0.0
    if gpus_per_worker < 0:
        raise RegistryError("--gpus-per-worker must be >= 0")
    if gpus_per_worker > 0:
        fit = int(cluster.gpus // gpus_per_worker)
        if fit < 1:
            raise RegistryError(
                f"--gpus-per-worker {gpus_per_worker:g}: the cluster has {cluster.gpus:g} GPU(s); "
                "use --gpus-per-worker 0 to run on CPUs"
            )
        count = workers or fit
        if count > fit:
            raise RegistryError(
                f"--workers {count} x --gpus-per-worker {gpus_per_worker:g} needs {count * gpus_per_worker:g} GPUs; the cluster has {cluster.gpus:g}"
            )
        # A GPU actor still needs a CPU to feed it; a fraction keeps CPUs free for Ray Data.
        cpus = min(1.0, max(0.1, (cluster.cpus - 1) / count))
        return PoolSize(count, gpus_per_worker, cpus, max(1, int(cpus)))
    spare = max(1.0, cluster.cpus - 1)
    count = workers or max(1, int(spare))
    cpus = min(1.0, spare / count)
    threads = max(1, int((os.cpu_count() or 1) // count)) if cluster.started_here else 1
    return PoolSize(count, 0.0, cpus, threads)
