"""The graph snapshot: a plain data model of a grad_fn graph (``snapshot.py``) and its
contract JSON object (``snapshot_json.py``).

It sits below both the checker (``adcli.check`` snapshots the graph it diagnoses) and the views
(``adcli.view`` renders snapshots as trees, DOT, Mermaid, JSON); it reads the engine's graph
and knows nothing of terminals or files.
"""

from .snapshot import (
    GraphSnapshot,
    SavedInfo,
    SnapNode,
    is_graphable,
    names_for_run,
    snapshot_from_tensor,
)
from .snapshot_json import graph_json, node_json

__all__ = ["GraphSnapshot", "SavedInfo", "SnapNode", "graph_json", "is_graphable",
           "names_for_run", "node_json", "snapshot_from_tensor"]
