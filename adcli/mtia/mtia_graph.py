"""``torch.mtia.mtia_graph`` (defined in :mod:`adcli.mtia`)."""

from . import MTIAGraph, graph, graph_pool_handle

__all__ = ["MTIAGraph", "graph", "graph_pool_handle"]
