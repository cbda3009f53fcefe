"""Device memory helpers for the engine loop: recognising CUDA out-of-memory and releasing the cache.

How each model family runs a batch lives in `engine/families/`.
"""

from __future__ import annotations


def is_oom(exc: BaseException) -> bool:
    """CUDA out-of-memory, as torch raises it (also matched by message for older paths)."""
    import torch

    return isinstance(exc, torch.OutOfMemoryError) or (isinstance(exc, RuntimeError) and "out of memory" in str(exc))


def release_memory(device: str) -> None:
    if device.startswith("cuda"):
        import torch

        torch.cuda.empty_cache()
