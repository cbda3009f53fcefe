"""NeMo's CUDA-graph greedy decoders: the `--cuda-graphs auto|on|off` switch, its support check and
what counts as a CUDA-graph failure.

NeMo builds its greedy batch decoders with CUDA graphs by default where it can: transducers (RNNT,
TDT; `greedy_batch` with `loop_labels`) read `decoding.greedy.use_cuda_graph_decoder`, CTC reads
`decoding.greedy.allow_cuda_graphs` (NeMo 3: nemo/collections/asr/parts/submodules/rnnt_decoding.py,
ctc_decoding.py). The graphs with conditional nodes need cuda-python >= 12.3 and a recent driver
(`check_cuda_python_cuda_graphs_conditional_nodes_supported`), and they fail on some drivers (NeMo
issues #15145, #15615, #15957; NeMo Curator's nightly benchmark turns them off), so:

* `auto`: on where CUDA and the conditional-node check pass; a batch that fails in a CUDA graph is
  retried once without them (one warning), and the run goes on without them;
* `on`: NeMo's default decoders with graphs, failures are errors;
* `off`: never.
"""

from __future__ import annotations

from typing import Any

CUDA_GRAPH_MODES: tuple[str, ...] = ("auto", "on", "off")
# Words in the messages CUDA-graph capture and replay failures carry (torch, cuda-python, NeMo).
_FAILURE_MARKERS = ("cuda graph", "cudagraph", "cuda_graph", "graph capture", "conditional node", "cudaerrorgraph")


def cuda_graph_support(device: str) -> tuple[bool, str]:
    """(supported, why not): whether NeMo's CUDA-graph decoders can run on `device`."""
    if not device.startswith("cuda"):
        return False, "no CUDA (running on CPU)"
    try:
        import torch
    except ImportError:
        return False, "torch is not installed"
    if not torch.cuda.is_available():
        return False, "no CUDA"
    try:
        from nemo.core.utils.cuda_python_utils import check_cuda_python_cuda_graphs_conditional_nodes_supported
    except ImportError as exc:
        return False, f"NeMo's CUDA-graph check is missing ({exc})"
    try:
        check_cuda_python_cuda_graphs_conditional_nodes_supported()
    except Exception as exc:
        return False, str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return True, ""


def decide(mode: str, device: str) -> tuple[bool | None, str]:
    """What the decoding config gets (None: NeMo's own default, as on CPU where NeMo never captures
    graphs) and a note."""
    if mode not in CUDA_GRAPH_MODES:
        raise ValueError(f"--cuda-graphs {mode}: expected one of {', '.join(CUDA_GRAPH_MODES)}")
    if mode == "off":
        return False, "CUDA-graph decoding off (--cuda-graphs off)"
    if mode == "on":
        return True, "CUDA-graph decoding on (--cuda-graphs on)"
    if not device.startswith("cuda"):
        return None, ""
    supported, why = cuda_graph_support(device)
    if supported:
        return True, "CUDA-graph decoding on (supported here; a failing batch is retried without it)"
    return False, f"CUDA-graph decoding off: {why}"


def set_decoding_keys(cfg: Any, enabled: bool | None, transducer: bool) -> None:
    """Write the switch into a NeMo decoding config (inside `open_dict`): transducers read
    `greedy.use_cuda_graph_decoder`, CTC `greedy.allow_cuda_graphs`; None leaves the config as the
    checkpoint has it."""
    if enabled is None:
        return
    if cfg.get("greedy") is None:
        cfg.greedy = {}
    if transducer:
        cfg.greedy.use_cuda_graph_decoder = enabled
    else:
        cfg.greedy.allow_cuda_graphs = enabled


def is_cuda_graph_failure(exc: BaseException) -> bool:
    """Whether an exception comes from CUDA-graph capture or replay (by its message and type)."""
    text = f"{type(exc).__name__} {exc}".lower()
    return any(marker in text for marker in _FAILURE_MARKERS)
