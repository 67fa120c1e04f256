"""A plain snapshot of a grad_fn graph: what the tree, DOT, Mermaid and JSON views read.

Public API:

- ``snapshot_from_tensor(value, names=None, *, max_nodes=None) -> GraphSnapshot``: walk the
  graph below a tensor (or a grad_fn node) iteratively, in ``next_functions`` order.
- ``names_for_run(run) -> dict``: the ``names`` mapping of a finished spec run (duck-typed on
  ``Run.origins`` / ``Run.leaf_origins`` / ``Run.namespace``).
- ``GraphSnapshot``, ``SnapNode``, ``SavedInfo``: plain dataclasses (no engine objects).
- ``is_graphable(value) -> bool``: whether ``value`` is something to snapshot (a tensor or a
  grad_fn node).

Node ids are ``n0`` (the root), ``n1``, ... in depth-first preorder, so that ids read top to
bottom in the tree view. The walk keeps no recursion, so a 10,000-node chain is fine.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

LEAF_NODE = "AccumulateGrad"


@dataclass
class SavedInfo:
    """One tensor a node saved for backward (``freed``: released after backward)."""

    name: str
    shape: list[int] | None = None
    dtype: str | None = None
    version: int | None = None
    current_version: int | None = None
    freed: bool = False

    @property
    def modified(self) -> bool:
        """True when the tensor was modified in place since it was saved."""
        return (self.version is not None and self.current_version is not None
                and self.version != self.current_version)


@dataclass
class SnapNode:
    """One grad_fn node.

    ``next`` has one entry per input (``next_functions`` order): a node id, or None where the
    input needs no grad. ``tensor`` is the name (from ``names``) of the tensor this node
    produced, or of the leaf for an ``AccumulateGrad``; ``shape``/``dtype`` describe that
    tensor. ``grad_norm``/``grad_shape`` are set when that tensor has a ``.grad``.
    """

    id: str
    name: str
    tensor: str | None = None
    shape: list[int] | None = None
    dtype: str | None = None
    next: list[str | None] = field(default_factory=list)
    next_output_nr: list[int] = field(default_factory=list)
    saved: list[SavedInfo] = field(default_factory=list)
    freed: bool = False
    is_leaf: bool = False
    grad_norm: float | None = None
    grad_shape: list[int] | None = None
    step: int | None = None
    line: int | None = None
    context: str | None = None  # the loop iteration or call the node was made in
    describe: str = ""
    key: int = 0  # id() of the engine node when snapshotted (to match a gradcheck culprit)

    @property
    def modified(self) -> bool:
        """True when a saved tensor was modified in place since it was saved."""
        return any(s.modified for s in self.saved)


@dataclass
class GraphSnapshot:
    """The graph below one tensor. ``root`` is None when the tensor has no grad_fn."""

    root: str | None
    nodes: dict[str, SnapNode] = field(default_factory=dict)
    of: str | None = None  # the expression or tensor name the graph is of
    shape: list[int] | None = None  # of the tensor itself (also when it has no grad_fn)
    dtype: str | None = None
    requires_grad: bool = False
    truncated: bool = False  # max_nodes reached: nodes past it have no entry
    omitted: int = 0  # how many nodes past max_nodes (counted, not described)

    def __len__(self) -> int:
        return len(self.nodes)

    def edges(self) -> list[tuple[str, int, str]]:
        """``(parent, input index, child)`` for every input that needs grad."""
        return [(n.id, i, c) for n in self.nodes.values() for i, c in enumerate(n.next)
                if c is not None]

    def resolve(self, items: Iterable[Any]) -> set[str]:
        """Node ids for snapshot ids, engine-node ids (``id(node)``) or engine nodes."""
        by_key = {n.key: n.id for n in self.nodes.values()}
        out: set[str] = set()
        for item in items:
            if isinstance(item, str):
                if item in self.nodes:
                    out.add(item)
                else:  # a grad_fn name (a culprit reported by name): every node of that name
                    out.update(n.id for n in self.nodes.values() if n.name == item)
            elif isinstance(item, int) and not isinstance(item, bool):
                if item in by_key:
                    out.add(by_key[item])
            elif id(item) in by_key:
                out.add(by_key[id(item)])
        return out


def node_name(n: Any) -> str:
    """A node's ``name()``; torch's C++ prefix dropped (``torch::autograd::AccumulateGrad``)."""
    name = str(n.name()) if hasattr(n, "name") else type(n).__name__
    return name.removeprefix("torch::autograd::")


def _is_tensor(v: Any) -> bool:
    """An adcli or torch tensor (duck-typed: the views import no engine)."""
    return hasattr(v, "grad_fn") and hasattr(v, "shape") and hasattr(v, "requires_grad")


def _is_node(v: Any) -> bool:
    """A grad_fn node of either engine."""
    return hasattr(v, "next_functions") and not hasattr(v, "grad_fn")


def _array(t: Any) -> Any:
    data = getattr(t, "_data", None)
    if data is not None:
        return data
    return t.detach().double().cpu().numpy()  # a torch tensor


def _norm(arr: Any) -> float | None:
    import numpy as np

    try:
        a = np.asarray(arr, dtype=np.float64)
        value = float(np.sqrt(np.sum(a * a)))
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else float("nan") if math.isnan(value) else value


class _Names:
    """Looks up the name (and step/line) of a node's tensor from the ``names`` mapping."""

    def __init__(self, names: Mapping[Any, Any] | None) -> None:
        self.by_id: dict[int, tuple[Any, Any]] = {}  # id(node or leaf) -> (object, info)
        self.tensors: dict[int, Any] = {}  # id(node or leaf) -> the named tensor (for .grad)
        if not names:
            return
        for key, value in names.items():
            if isinstance(key, str):
                # name -> tensor: the tensor's grad_fn (or the leaf itself) carries the name
                fn = getattr(value, "grad_fn", None)
                obj = fn if fn is not None else value
                if not _is_tensor(value):
                    continue
                self.by_id.setdefault(id(obj), (obj, key))
                self.tensors.setdefault(id(obj), value)
            elif isinstance(key, int):
                obj = getattr(value, "node", None)
                if obj is None and getattr(value, "freed", False):
                    continue  # its object is gone; the id may be reused by another node
                self.by_id.setdefault(key, (obj, value))

    def context(self, obj: Any) -> str | None:
        """The loop iteration or call a node was made in (spec runs), else None."""
        hit = self.by_id.get(id(obj))
        if hit is None or (hit[0] is not None and hit[0] is not obj):
            return None
        ctx = getattr(hit[1], "context", None)
        return ctx if isinstance(ctx, str) else None

    def lookup(self, obj: Any) -> tuple[str | None, int | None, int | None, Any]:
        hit = self.by_id.get(id(obj))
        if hit is None:
            return None, None, None, None
        owner, info = hit
        if owner is not None and owner is not obj:
            return None, None, None, None  # a stale id from an object since freed
        tensor = self.tensors.get(id(obj))
        if isinstance(info, str):
            return info, None, None, tensor
        name = getattr(info, "name", None)
        return (None if name is None else str(name), getattr(info, "step", None),
                getattr(info, "line", None), tensor)


def names_for_run(run: Any) -> dict[Any, Any]:
    """The ``names`` mapping of a spec run: ``Run.made_at`` (where unnamed nodes were made),
    ``Run.origins``, ``Run.leaf_origins`` and the tensors bound in ``Run.namespace`` (for the
    gradients of named non-leaf tensors)."""
    out: dict[Any, Any] = {}
    for records in ("made_at", "origins", "leaf_origins"):
        for key, origin in (getattr(run, records, None) or {}).items():
            if not getattr(origin, "freed", False):  # a freed record's id may be reused
                out[key] = origin
    for name, value in (getattr(run, "namespace", {}) or {}).items():
        if _is_tensor(value):
            out[name] = value
    return out


def _shape(s: Any) -> list[int] | None:
    if s is None:
        return None
    try:
        return [int(d) for d in s]
    except TypeError:
        return None


def _dtype_name(d: Any) -> str | None:
    if d is None:
        return None
    return str(getattr(d, "name", None) or d).removeprefix("torch.")


def is_graphable(value: Any) -> bool:
    """True for what :func:`snapshot_from_tensor` takes: a Tensor or a grad_fn node."""
    from adcli.engine.node import Node
    from adcli.engine.tensor import Tensor

    # a torch tensor or node too (the torch engine), recognised without importing torch
    return isinstance(value, Tensor | Node) or _is_tensor(value) or _is_node(value)


def snapshot_from_tensor(value: Any, names: Mapping[Any, Any] | None = None, *,
                         max_nodes: int | None = None, of: str | None = None) -> GraphSnapshot:
    """Snapshot the grad_fn graph below ``value`` (a Tensor or a grad_fn node).

    ``names`` maps names to tensors (``{"z": z, "x": x}``, e.g. a run's namespace) and/or
    ``id(grad_fn node or leaf tensor)`` to a name or an object with ``.name`` (and optional
    ``.step``, ``.line``, ``.node``: the object itself, to reject stale ids), e.g.
    :func:`names_for_run`. ``max_nodes`` bounds the walk (``truncated`` is then set).
    """
    lookup = _Names(names)
    if _is_node(value):
        root = value
        shape = dtype = None
        requires_grad = True
    else:
        root = getattr(value, "grad_fn", None)
        shape = _shape(getattr(value, "shape", None))
        dtype = _dtype_name(getattr(value, "dtype", None))
        requires_grad = bool(getattr(value, "requires_grad", False))
        if of is None:
            of = lookup.lookup(root if root is not None else value)[0]
    snap = GraphSnapshot(root=None, of=of, shape=shape, dtype=dtype, requires_grad=requires_grad)
    if root is None:
        return snap

    ids: dict[int, str] = {}
    keep: list[Any] = []  # holds nodes alive so that id() stays unique during the walk
    out_shape: dict[int, tuple[Any, Any]] = {id(root): (shape, dtype)}

    def node_id(n: Any) -> str:
        i = ids.get(id(n))
        if i is None:
            i = ids[id(n)] = f"n{len(ids)}"
            keep.append(n)
        return i

    # Preorder DFS with an explicit stack; a node's id is given when it is first popped.
    stack: list[Any] = [root]
    while stack:
        n = stack.pop()
        if id(n) in ids and ids[id(n)] in snap.nodes:
            continue
        if max_nodes is not None and len(snap.nodes) >= max_nodes:
            snap.truncated = True
            snap.omitted = _count_rest([n, *stack], {k for k, v in ids.items()
                                                      if v in snap.nodes})
            break
        nid = node_id(n)
        sn = _describe(n, nid, lookup, out_shape.get(id(n)),
                       value if n is root and not _is_node(value) else None)
        snap.nodes[nid] = sn
        nexts = list(getattr(n, "next_functions", ()) or ())
        in_shapes = tuple(getattr(n, "shapes", ()) or ())
        in_dtypes = tuple(getattr(n, "dtypes", ()) or ())
        for i, (child, nr) in enumerate(nexts):
            sn.next_output_nr.append(int(nr))
            if child is None:
                continue
            if id(child) not in out_shape:
                out_shape[id(child)] = _child_output(child, nr, in_shapes, in_dtypes, i)
        pending = [c for c, _ in nexts if c is not None]
        for child in reversed(pending):
            if not (id(child) in ids and ids[id(child)] in snap.nodes):
                stack.append(child)
    # Edges are resolved after the walk: a child's id is known only once it was visited.
    # Past max_nodes, an input still gets an id (with no entry in ``nodes``), never None.
    by_node = {id(k): k for k in keep}
    for n_key, nid in list(ids.items()):
        sn = snap.nodes.get(nid)
        if sn is None:
            continue
        n = by_node[n_key]
        sn.next = [None if c is None else node_id(c) for c, _ in n.next_functions]
    snap.root = "n0"
    return snap


def _count_rest(pending: list[Any], done: set[int]) -> int:
    """Nodes reachable from ``pending`` that are not in ``done`` (ids), counted cheaply."""
    seen = set(done)
    stack = [n for n in pending if id(n) not in seen]
    count = 0
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        count += 1
        stack.extend(c for c, _ in (getattr(n, "next_functions", ()) or ())
                     if c is not None and id(c) not in seen)
    return count


def _child_output(child: Any, nr: int, in_shapes: tuple[Any, ...], in_dtypes: tuple[Any, ...],
                  i: int) -> tuple[Any, Any]:
    """Shape and dtype of the tensor ``child`` produced, as seen by its consumer's input i."""
    var = getattr(child, "variable", None)
    if var is not None:
        return _shape(var.shape), _dtype_name(var.dtype)
    meta = getattr(child, "_input_metadata", None)  # a torch node: its outputs' metadata
    if meta is not None and 0 <= nr < len(meta):
        return _shape(meta[nr].shape), _dtype_name(meta[nr].dtype)
    out_shapes = (getattr(child, "attrs", None) or {}).get("out_shapes")
    shape = None
    if out_shapes and 0 <= nr < len(out_shapes):
        shape = _shape(out_shapes[nr])
    elif i < len(in_shapes):
        shape = _shape(in_shapes[i])
    dtype = None
    if i < len(in_dtypes):
        import numpy as np

        try:
            dtype = np.dtype(in_dtypes[i]).name
        except TypeError:
            dtype = _dtype_name(in_dtypes[i])
    return shape, dtype


def _describe(n: Any, nid: str, lookup: _Names, shape_dtype: tuple[Any, Any] | None,
              own: Any = None) -> SnapNode:
    name = node_name(n)
    shape, dtype = shape_dtype or (None, None)
    var = getattr(n, "variable", None)
    is_leaf = var is not None
    tensor_name, step, line, tensor = lookup.lookup(var if is_leaf else n)
    context = lookup.context(var if is_leaf else n)
    if is_leaf:
        tensor = var
    elif tensor is None:
        tensor = own
    if shape is None and tensor is not None and _is_tensor(tensor):
        shape, dtype = _shape(tensor.shape), _dtype_name(tensor.dtype)
    sn = SnapNode(id=nid, name=name, tensor=tensor_name, shape=shape, dtype=dtype,
                  is_leaf=is_leaf, step=step, line=line, key=id(n), context=context)
    try:
        sn.describe = str(n.describe() or "")
    except Exception:  # a custom node's describe() must not break a view
        sn.describe = ""
    info = getattr(n, "saved_tensors_info", None) or []
    for d in info:
        sn.saved.append(SavedInfo(
            name=str(d.get("name", "?")), shape=_shape(d.get("shape")),
            dtype=d.get("dtype"), version=d.get("version"),
            current_version=d.get("current_version"), freed=bool(d.get("freed", False))))
    sn.freed = bool(getattr(n, "_freed", False)) or any(s.freed for s in sn.saved)
    # Only leaves and retain_grad tensors have a grad (torch warns on any other .grad read).
    grad = getattr(tensor, "grad", None) if tensor is not None and (
        getattr(tensor, "is_leaf", True) or getattr(tensor, "retains_grad", False)) else None
    if grad is not None and _is_tensor(grad):
        sn.grad_norm = _norm(_array(grad))
        sn.grad_shape = _shape(grad.shape)
    return sn


def _source_order(root: Any) -> list[Any]:
    """The nodes of a statement in source order (loop bodies in place), not looking into
    functions (their names are their own)."""
    import ast

    out: list[Any] = []
    stack = [root]
    while stack:
        node = stack.pop()
        out.append(node)
        if isinstance(node, ast.FunctionDef | ast.Lambda) and node is not root:
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(node))))
    return out


def _assigned_names(steps: Iterable[Any]) -> list[str]:
    """Names bound by assignments in spec steps, in order (nested no_grad steps included)."""
    import ast

    out: list[str] = []
    todo: list[Any] = list(steps)[::-1]
    while todo:
        step = todo.pop()
        for st in getattr(step, "statements", None) or []:
            for node in _source_order(st.node) if isinstance(st.node, ast.AST) else ():
                if isinstance(node, ast.Assign):
                    targets: list[Any] = list(node.targets)
                elif isinstance(node, ast.AugAssign | ast.AnnAssign):
                    targets = [node.target]
                else:
                    continue
                while targets:
                    t = targets.pop(0)
                    if isinstance(t, ast.Name):
                        out.append(t.id)
                    elif isinstance(t, ast.Tuple | ast.List):
                        targets[:0] = list(t.elts)
        todo.extend(reversed(getattr(step, "children", None) or []))
    return out


def last_assigned(spec: Any, namespace: Mapping[str, Any]) -> str | None:
    """The name the spec's steps assigned last that holds a tensor when the run ends.

    Falls back to the last tensor declared under ``tensors``; None if there is none.
    """
    is_tensor = _is_tensor

    for name in reversed(_assigned_names(getattr(spec, "steps", ()) or ())):
        if is_tensor(namespace.get(name)):
            return name
    for decl in reversed(getattr(spec, "tensors", ()) or ()):
        if is_tensor(namespace.get(decl.name)):
            return str(decl.name)
    return None


def graph_of_run(spec: Any, run: Any, *, max_nodes: int | None = None) -> GraphSnapshot | None:
    """The snapshot of the last assigned tensor of a finished spec run (``adcli run --graph``).

    None when the run bound no tensor.
    """
    namespace = getattr(run, "namespace", {}) or {}
    name = last_assigned(spec, namespace)
    if name is None:
        return None
    return snapshot_from_tensor(namespace[name], names_for_run(run), max_nodes=max_nodes,
                                of=name)
