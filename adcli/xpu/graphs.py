"""``torch.xpu.graphs`` (defined in :mod:`adcli.xpu`)."""

from . import (
               XPUGraph,
               graph,
               graph_pool_handle,
               is_current_stream_capturing,
               make_graphed_callables,
)

__all__ = ["XPUGraph", "graph", "graph_pool_handle", "is_current_stream_capturing",
           "make_graphed_callables"]
