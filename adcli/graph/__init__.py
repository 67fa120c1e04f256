"""The graph snapshot: a plain data model of a grad_fn graph (``snapshot.py``).

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

__all__ = ["GraphSnapshot", "SavedInfo", "SnapNode", "is_graphable", "names_for_run",
           "snapshot_from_tensor"]
