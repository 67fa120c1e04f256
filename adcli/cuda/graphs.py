"""``torch.cuda.graphs`` of a CPU build: graph capture needs a CUDA stream, so every entry
fails as torch's does."""

from __future__ import annotations

from typing import Any

from ._base import dummy, dummy_class
from .streams import Stream

__all__ = ["CUDAGraph", "graph", "graph_pool_handle", "is_current_stream_capturing",
           "make_graphed_callables"]


def is_current_stream_capturing() -> bool:
    dummy("_cuda_isCurrentStreamCapturing")


def graph_pool_handle() -> Any:
    dummy("_graph_pool_handle")


CUDAGraph = dummy_class("CUDAGraph", "torch.cuda.graphs",
                        "``torch.cuda.CUDAGraph``: a dummy class on a CPU build.")


class graph:  # noqa: N801 - mirrors torch.cuda.graph
    """``with torch.cuda.graph(g):`` captures on a side stream, which a CPU build cannot
    make."""

    default_capture_stream: Stream | None = None

    def __init__(self, cuda_graph: CUDAGraph, pool: Any = None, stream: Stream | None = None,
                 capture_error_mode: str = "global", enable_annotations: bool = False,
                 check_input_liveness: bool = False) -> None:
        if stream is None and type(self).default_capture_stream is None:
            type(self).default_capture_stream = Stream()
        raise RuntimeError("torch.cuda.Stream requires CUDA support")  # pragma: no cover


def make_graphed_callables(callables: Any, sample_args: Any, num_warmup_iters: int = 3,
                           allow_unused_input: bool = False, pool: Any = None) -> Any:
    """torch makes one CUDAGraph per callable first."""
    CUDAGraph()


graph.__module__ = "torch.cuda.graphs"
