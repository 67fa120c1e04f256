"""The backward engine: an iterative walk of the grad_fn graph in dependency order.

Nothing here knows any op; each node computes its own input gradients (``Node.apply``).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from heapq import heapify, heappop, heappush, heappushpop
from operator import attrgetter
from typing import Any

import numpy as np

from . import anomaly, dtypes
from .errors import (
    InvalidArgumentError,
    NoGradFnError,
    NonscalarBackwardError,
    ShapeMismatchError,
    from_numpy_broadcast,
)
from .grad_mode import _enabled, set_grad_enabled
from .hooks import node_timer
from .limits import work_meter
from .node import AccumulateGrad, GradientEdge, Node
from .tensor import Tensor

# The backward running now, for register_multi_grad_hook: [root nodes, the nodes a partial
# run executes (None: all reachable), reachable nodes (found on first ask)]. Set per run, not
# cleared after: hooks only ask while one runs.
_current: list[Any] = [None]


def current_run() -> Any:
    """An object identifying the backward running now (see ``_current``)."""
    return _current[0]


def will_compute(run: Any, t: Tensor) -> bool:
    """Whether the backward ``run`` computes a gradient for ``t`` (its node runs)."""
    if run is None or not t.requires_grad:
        return False
    node = t.grad_fn if t.grad_fn is not None else t._grad_accumulator()
    if run[2] is None:
        seen = set(run[0])
        stack = list(seen)
        while stack:
            for nxt, _ in stack.pop().next_functions:
                if nxt is not None and nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        run[2] = seen
    return node in run[2] and (run[1] is None or node in run[1])


def _as_list(x: Any) -> list[Any]:
    if x is None:
        return []
    if isinstance(x, Tensor | GradientEdge):
        return [x]
    return list(x)


def _root_grads(outputs: list[Tensor], grads: list[Any] | None, create_graph: bool) -> list[Any]:
    out = []
    for i, t in enumerate(outputs):
        g = grads[i] if grads is not None and i < len(grads) else None
        if g is None:
            data = t._data
            if data.size != 1:
                raise NonscalarBackwardError()
            if data.dtype.kind == "c":
                raise NonscalarBackwardError(dtypes.from_numpy(data.dtype))
            timer = node_timer[0]
            start = timer.begin_op("aten::ones_like", [list(data.shape)]) if timer else None
            arr = np.empty(data.shape, dtype=data.dtype)  # (np.ones: a Python wrapper)
            arr.fill(1)
            out.append(Tensor._make(arr, None, 0, None) if create_graph else arr)
            if timer is not None:
                timer.end_op(start)
            continue
        if not isinstance(g, Tensor):
            g = Tensor._make(np.asarray(g, dtype=t._data.dtype), None, 0, None)
        if g.shape != t.shape:
            raise ShapeMismatchError(
                f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and output[{i}] "
                f"has a shape of {t.shape}."
            )
        out.append(g if create_graph else g._data)
    return out


def _discover(roots: list[Node],
              parents: dict[Node, list[Node]] | None = None) -> dict[Node, int]:
    """Count, for every reachable node, how many edges lead into it (iteratively).

    With ``parents``, also record each node's parents (the reverse edges).
    """
    deps: dict[Node, int] = {}
    stack = list(dict.fromkeys(roots))
    seen = set(stack)
    while stack:
        node = stack.pop()
        for nxt, _ in node.next_functions:
            if nxt is None:
                continue
            deps[nxt] = deps.get(nxt, 0) + 1
            if parents is not None:
                parents.setdefault(nxt, []).append(node)
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return deps


def _run(roots: list[tuple[Node, int]], root_grads: list[Any], retain_graph: bool,
         create_graph: bool, capture: dict[tuple[Node, int], int] | None,
         accumulate_into: set[Node] | None) -> dict[int, Any]:
    """Propagate gradients from the roots. Returns captured gradients by capture slot."""
    prev_run = _current[0]
    try:
        return _run_graph(roots, root_grads, retain_graph, create_graph, capture,
                          accumulate_into)
    except ValueError as exc:
        # a formula's NumPy broadcast error (an unpack hook returned another shape): torch's
        err = from_numpy_broadcast(exc)
        if err is None:
            raise
        raise err from None
    finally:  # also when backward raised: the run is over (checkpoint asks which one runs)
        _current[0] = prev_run


def _run_graph(roots: list[tuple[Node, int]], root_grads: list[Any], retain_graph: bool,
               create_graph: bool, capture: dict[tuple[Node, int], int] | None,
               accumulate_into: set[Node] | None) -> dict[int, Any]:
    if capture is None and accumulate_into is None and not create_graph \
            and work_meter() is None and node_timer[0] is None \
            and _run_plain(roots, root_grads, retain_graph):
        return {}
    root_nodes = [n for n, _ in roots]
    partial = capture is not None or accumulate_into is not None
    parents: dict[Node, list[Node]] | None = {} if partial else None
    deps = _discover(root_nodes, parents)
    buffers: dict[Node, list[Any]] = {}
    # Arrays a leaf may adopt as its .grad without a copy: fresh ones routed exactly once.
    # Root gradients belong to the caller, so they never count as fresh.
    routed: dict[int, int] = {id(g): 2 for g in root_grads}
    for (node, nr), g in zip(roots, root_grads):
        buf = buffers.get(node)
        if buf is None:
            buf = buffers[node] = [None] * node.n_outputs
        buf[nr] = g if buf[nr] is None else buf[nr] + g
    needed = _needed(root_nodes, parents, capture, accumulate_into) if partial else None
    prev_run = _current[0]
    _current[0] = [root_nodes, needed, None]
    # A heap on creation order: of the ready nodes, the one created last runs first.
    tie = itertools.count().__next__
    ready = [(-n.seq_nr, tie(), n) for n in dict.fromkeys(root_nodes) if deps.get(n, 0) == 0]
    heapify(ready)
    captured: dict[int, Any] = {}
    release = not retain_graph
    meter = work_meter()
    timer = node_timer[0]  # (the profiler: backward nodes as timed events)
    # The node to run next when it became ready alone while the heap was empty (a chain's
    # common case): it skips the heap, and its gradients skip ``buffers``.
    node: Any = None
    grads: Any = None
    with set_grad_enabled(create_graph):
        while True:
            if node is None:
                if not ready:
                    break
                node = heappop(ready)[2]
                grads = buffers.pop(node, None) or [None] * node.n_outputs
            if meter is not None:
                # Backward is work too: a spec's budget counts the gradient elements.
                meter(sum(_elements(g) for g in grads if g is not None) + 1)
            if timer is not None:
                timer.begin(node, grads)
            hooked = node._hooked
            if hooked:
                grads = _all_pre_hooks(node, grads, create_graph)
            if capture is not None:
                for nr in range(len(grads)):
                    slot = capture.get((node, nr))
                    if slot is not None:
                        captured[slot] = grads[nr]
            if type(node) is AccumulateGrad:
                if accumulate_into is None or node in accumulate_into:
                    g0 = grads[0]
                    # (base None: the array owns its memory; read without building the
                    # flags object twice)
                    owned = (not create_graph and g0 is not None and routed.get(id(g0)) == 1
                             and type(g0) is np.ndarray and g0.base is None
                             and g0.flags.writeable)
                    node.apply(grads, create_graph, owned)
                if hooked and node._post_hooks:
                    _post_hooks(node, (), grads, create_graph)
                if timer is not None:
                    timer.end(node)
                node = None
                continue
            nexts = node.next_functions
            if (needed is None or node in needed) and (
                    grads[0] is not None if len(grads) == 1 else any(g is not None for g in grads)):
                outs = _apply_node(node, grads, create_graph, hooked, release)
            else:
                outs = (None,) * len(nexts)
            if timer is not None:
                timer.end(node)
            first = first_grads = None
            first_tie = 0
            for (nxt, nr), g in zip(nexts, outs):
                if nxt is None:
                    continue
                d = deps[nxt] - 1
                deps[nxt] = d
                if d == 0 and g is not None and type(nxt) is not AccumulateGrad \
                        and nxt not in buffers:
                    # Its last pending edge and nothing buffered: its gradients are this one.
                    if nxt.n_outputs == 1:
                        buf = [g]
                    else:
                        buf = [None] * nxt.n_outputs
                        buf[nr] = g
                else:
                    if g is not None:
                        buf = buffers.get(nxt)
                        if buf is None:
                            buf = buffers[nxt] = [None] * nxt.n_outputs
                        if buf[nr] is None:
                            buf[nr] = g
                            if type(nxt) is AccumulateGrad:
                                # Only leaves adopt arrays, so only routes to leaves count.
                                k = id(g)
                                routed[k] = routed.get(k, 0) + 1
                        else:
                            buf[nr] = g = buf[nr] + g
                            routed[id(g)] = 1
                    if d:
                        continue
                    buf = buffers.pop(nxt, None)
                if first is None:
                    # (its heap key is made only if it must wait; its tie is taken now, so
                    # that equal keys keep the order in which nodes became ready)
                    first, first_tie, first_grads = nxt, tie(), buf
                else:
                    if buf is not None:
                        buffers[nxt] = buf
                    heappush(ready, (-nxt.seq_nr, tie(), nxt))
            if first is None:
                node = None
            elif not ready:
                node, grads = first, first_grads or [None] * first.n_outputs
            else:
                # Others are ready too: the one created last runs first, as with the heap alone.
                if first_grads is not None:
                    buffers[first] = first_grads
                node = heappushpop(ready, (-first.seq_nr, first_tie, first))[2]
                grads = buffers.pop(node, None) or [None] * node.n_outputs
    _current[0] = prev_run
    return captured


_seq = attrgetter("seq_nr")


def _run_plain(roots: list[tuple[Node, int]], root_grads: list[Any], retain_graph: bool) -> bool:
    """``_run`` for a plain ``backward()`` from one output: every reachable node runs, on
    arrays, unmetered. Returns False, having done nothing, when the general walk must run.

    Each node's edges lead to nodes made before it (``seq_nr`` is taken from one counter as a
    node is recorded, and its inputs exist by then), and ``_run`` runs, of the ready nodes,
    the one made last: so it runs the nodes in decreasing ``seq_nr``, every one only once all
    its consumers have. This walk sorts them once instead: no dependency counts but the
    leaves' (an AccumulateGrad runs as soon as its last gradient is in, as there), no heap.
    Hooks, anomaly mode, errors and accumulation come in the same order. A graph that breaks
    the rule (a node numbered out of order by hand) goes to the general walk.

    A node without hooks takes one step (``Node._np_step``: apply, release, and routing its
    gradients, OpNodes' specialised); the others go through ``_plain_node``.
    """
    if len(roots) != 1:
        return False
    root, root_nr = roots[0]
    if type(root) is AccumulateGrad:
        return False
    seen = {root: None}  # (insertion-ordered: the nodes in the order found)
    acc_deps: dict[Node, int] = {}
    stack = [root]
    pop = stack.pop
    push = stack.append
    while stack:
        node = pop()
        seq = node.seq_nr
        for nxt, _ in node.next_functions:
            if nxt is None:
                continue
            if type(nxt) is AccumulateGrad:
                acc_deps[nxt] = acc_deps.get(nxt, 0) + 1
            elif not 0 < nxt.seq_nr < seq:
                return False
            elif nxt not in seen:
                seen[nxt] = None
                push(nxt)
    order = list(seen)
    del seen
    prev_run = _current[0]
    _current[0] = [[root], None, None]
    order.sort(key=_seq, reverse=True)
    g0 = root_grads[0]
    # Arrays a leaf may adopt as its .grad without a copy: fresh ones routed exactly once.
    # The root gradient belongs to the caller, so it never counts as fresh.
    routed: dict[int, int] = {id(g0): 2}
    if root.n_outputs == 1:
        buffers: dict[Node, list[Any]] = {root: [g0]}
    else:
        buf = [None] * root.n_outputs
        buf[root_nr] = g0
        buffers = {root: buf}
    done: list[Node] = []  # leaves whose last gradient came in at this step

    def route(nxt: Node, nr: int, g: Any) -> None:
        """Hand ``g`` (may be None) to output ``nr`` of ``nxt``."""
        if type(nxt) is AccumulateGrad:
            if g is not None:
                buf = buffers.get(nxt)
                if buf is None:
                    buffers[nxt] = [g]
                    k = id(g)
                    routed[k] = routed.get(k, 0) + 1
                else:
                    buf[0] = g = buf[0] + g
                    routed[id(g)] = 1
            d = acc_deps[nxt] - 1
            acc_deps[nxt] = d
            if not d:
                done.append(nxt)
        elif g is not None:
            buf = buffers.get(nxt)
            if buf is None:
                if nxt.n_outputs == 1:
                    buffers[nxt] = [g]
                else:
                    buf = buffers[nxt] = [None] * nxt.n_outputs
                    buf[nr] = g
            elif buf[nr] is None:
                buf[nr] = g
            else:
                buf[nr] = g = buf[nr] + g
                routed[id(g)] = 1

    release = not retain_graph
    check = anomaly.enabled
    take = buffers.pop
    was = _enabled[0]
    _enabled[0] = False  # set_grad_enabled(False), inline
    try:
        for node in order:
            grads = take(node, None)
            if grads is not None and len(grads) == 1 and not node._hooked and not check[0]:
                node._np_step(grads, buffers, route, release)
            else:
                _plain_node(node, grads, route, release)
            if done:
                # the leaves made ready by this node, in the order they became ready
                for acc in done:
                    _plain_leaf(acc, take(acc, None) or [None], routed)
                done.clear()
    except ValueError as exc:
        # a formula's NumPy broadcast error (an unpack hook returned another shape): torch's
        err = from_numpy_broadcast(exc)
        if err is None:
            raise
        raise err from None
    finally:
        _enabled[0] = was
        _current[0] = prev_run
    return True


def _all_pre_hooks(node: Node, grads: list[Any], create_graph: bool) -> list[Any]:
    """A hooked node's incoming gradients after its tensor pre-hooks (and retain_grad), then
    its Node pre-hooks, in torch's order."""
    if node._pre_hooks is not None or node._retain is not None:
        grads = _pre_hooks(node, grads, create_graph)
    if node._node_pre_hooks:
        grads = _node_pre_hooks(node, grads, create_graph)
    return grads


def _apply_node(node: Node, grads: list[Any], create_graph: bool, hooked: bool,
                release: bool) -> Any:
    """Run one node's formulas with anomaly mode's checks and its post hooks, then free what it
    saved unless the graph is retained."""
    check = anomaly.enabled
    try:
        outs = node.apply(grads, create_graph) if create_graph else node._np_apply(grads)
        if check[0] and anomaly.check_nan[0]:
            _check_nan(node, outs)
    except Exception as exc:
        if check[0]:
            anomaly.report_error(node, exc)
        raise
    if hooked and node._post_hooks:
        outs = _post_hooks(node, outs, grads, create_graph)
    if release:
        # As PyTorch: a node's saved tensors go as soon as it has run.
        node.release()
    return outs


def _plain_node(node: Node, grads: list[Any] | None, route: Any, release: bool) -> None:
    """One node of ``_run_plain`` in full: hooks, anomaly mode, several outputs, no gradient."""
    if grads is None:
        grads = [None] * node.n_outputs
    hooked = node._hooked
    if hooked:
        grads = _all_pre_hooks(node, grads, False)
    nexts = node.next_functions
    if any(g is not None for g in grads):
        outs = _apply_node(node, grads, False, hooked, release)
    else:
        outs = (None,) * len(nexts)
    for (nxt, nr), g in zip(nexts, outs):
        if nxt is not None:
            route(nxt, nr, g)


def _plain_leaf(acc: AccumulateGrad, grads: list[Any], routed: dict[int, int]) -> None:
    """An AccumulateGrad of ``_run_plain``, with its hooks."""
    hooked = acc._hooked
    if hooked:
        if acc._pre_hooks is not None or acc._retain is not None:
            grads = _pre_hooks(acc, grads, False)
        if acc._node_pre_hooks:
            grads = _node_pre_hooks(acc, grads, False)
    g = grads[0]
    if type(g) is np.ndarray:
        var = acc.variable
        data = var._data
        if var._grad is None and routed.get(id(g)) == 1 and g.base is None \
                and g.dtype == data.dtype and g.shape == data.shape and g.flags.writeable:
            # AccumulateGrad.apply's adoption of a fresh array, inline
            var._grad = Tensor._make(g, None, 0, None)
        else:
            acc.apply(grads, False, False)
    else:
        acc.apply(grads, False, False)
    if hooked and acc._post_hooks:
        _post_hooks(acc, (), grads, False)


def _needed(roots: list[Node], parents: dict[Node, list[Node]], capture: Any,
            accumulate_into: set[Node] | None) -> set[Node]:
    """Nodes worth executing when only some gradients are wanted (autograd.grad / inputs=):
    those with a target below them, found by walking the reverse edges up from the targets."""
    targets = set(accumulate_into or ()) | {n for n, _ in (capture or {})}
    # (a captured node itself runs only if a target lies below it: its gradient is captured
    # as it comes in, so, as in torch, neither it nor its leaves' hooks run for nothing)
    needed: set[Node] = set()
    stack = [t for t in targets if t in parents or t in roots]
    while stack:
        for p in parents.get(stack.pop(), ()):
            if p not in needed:
                needed.add(p)
                stack.append(p)
    return needed


def _pre_hooks(node: Node, grads: list[Any], create_graph: bool) -> list[Any]:
    hooks = node._pre_hooks
    retain = node._retain
    if not hooks and not retain:
        return grads
    grads = list(grads)
    for nr, g in enumerate(grads):
        if g is None:
            continue
        fns = (hooks or {}).get(nr, ())
        for fn in fns:
            gt = g if isinstance(g, Tensor) else Tensor._make(g, None, 0, None)
            new = fn(gt)
            if new is not None:
                if create_graph:
                    g = new
                else:
                    g = new._data if isinstance(new, Tensor) else np.asarray(new)
        if fns and type(g) is np.ndarray:
            # a hook may keep the gradient it was given: a leaf must not adopt that array as
            # its .grad (later accumulations would change the hook's tensor), as in torch
            g = g.copy()
        grads[nr] = g
        ref = (retain or {}).get(nr)
        t = ref() if ref is not None else None
        if t is not None:
            gt = g if isinstance(g, Tensor) else Tensor._make(np.array(g, copy=True), None, 0, None)
            if t._grad is None:
                t._grad = gt if create_graph else Tensor._make(gt._data.copy(), None, 0, None)
            else:
                t._grad = t._grad + gt
    return grads


def _as_tensor(g: Any) -> Any:
    return g if g is None or isinstance(g, Tensor) else Tensor._make(g, None, 0, None)


def _from_hook(new: Any, old: list[Any] | tuple[Any, ...], create_graph: bool,
               what: str) -> list[Any]:
    if not isinstance(new, tuple):
        raise TypeError(f"expected tuple, but hook returned '{type(new).__name__}'")
    if len(new) != len(old):
        raise InvalidArgumentError(
            f"hook '{what}' has returned an incorrect number of values (got {len(new)}, but "
            f"expected {len(old)})")
    out = []
    for n in new:
        if n is None or create_graph:
            out.append(n)
        else:
            out.append(n._data if isinstance(n, Tensor) else np.asarray(n))
    return out


def _node_pre_hooks(node: Node, grads: list[Any], create_graph: bool) -> list[Any]:
    """``node.register_prehook`` hooks: ``fn(grad_outputs)`` may return new grad_outputs."""
    for fn in list(node._node_pre_hooks or ()):
        new = fn(tuple(_as_tensor(g) for g in grads))
        if new is not None:
            grads = _from_hook(new, grads, create_graph, getattr(fn, "__name__", "hook"))
    return grads


def _post_hooks(node: Node, outs: Any, grads: list[Any], create_graph: bool) -> Any:
    """``node.register_hook`` hooks: ``fn(grad_inputs, grad_outputs)`` may replace grad_inputs."""
    gouts = tuple(_as_tensor(g) for g in grads)
    for fn in list(node._post_hooks or ()):
        new = fn(tuple(_as_tensor(g) for g in outs), gouts)
        if new is not None:
            outs = tuple(_from_hook(new, outs, create_graph, getattr(fn, "__name__", "hook")))
    return outs


def _check_nan(node: Node, outs: Any) -> None:
    """Anomaly mode: PyTorch's error for a node that returned NaN."""
    for i, g in enumerate(outs):
        if g is None:
            continue
        arr = g._data if isinstance(g, Tensor) else np.asarray(g)
        if arr.dtype.kind == "f" and np.isnan(arr).any():
            raise InvalidArgumentError(
                f"Function '{node.name()}' returned nan values in its {i}th output.")


def _root_edges(outputs: list[Tensor]) -> list[tuple[Node, int]]:
    edges = []
    for i, t in enumerate(outputs):
        if not isinstance(t, Tensor):
            raise InvalidArgumentError(f"backward: expected a tensor, got {type(t).__name__}")
        node, nr = t._edge()
        if node is None:
            raise NoGradFnError(i)
        edges.append((node, nr))
    return edges


def backward(tensors: Sequence[Tensor] | Tensor, grad_tensors: Any = None,
             retain_graph: bool | None = None, create_graph: bool = False,
             inputs: Sequence[Tensor] | Tensor | None = None) -> None:
    """Accumulate gradients of ``tensors`` into the ``.grad`` of graph leaves."""
    outputs = _as_list(tensors)
    grads = None if grad_tensors is None else _as_list(grad_tensors)
    if retain_graph is None:
        retain_graph = create_graph
    roots = _root_edges(outputs)
    rg = _root_grads(outputs, grads, create_graph)
    accumulate_into = None
    capture = None
    if inputs is not None:
        inputs_l = _as_list(inputs)
        if not inputs_l:
            raise InvalidArgumentError("'inputs' argument to backward() cannot be empty.")
        accumulate_into = set()
        capture = {}
        nonleaf: list[tuple[int, Tensor]] = []
        for i, t in enumerate(inputs_l):
            if isinstance(t, GradientEdge):  # computed there, stored nowhere (as torch)
                if type(t.node) is AccumulateGrad:
                    accumulate_into.add(t.node)
                else:
                    capture[(t.node, t.output_nr)] = i
                continue
            if not t.requires_grad:
                raise InvalidArgumentError(
                    "One of the differentiated Tensors does not require grad")
            if t.grad_fn is None:
                accumulate_into.add(t._grad_accumulator())
            else:
                capture[(t.grad_fn, t._output_nr)] = i
                nonleaf.append((i, t))
        got = _run(roots, rg, retain_graph, create_graph, capture, accumulate_into)
        for i, t in nonleaf:
            g = got.get(i)
            if g is not None:
                if not isinstance(g, Tensor):
                    g = Tensor._make(np.array(g, copy=True), None, 0, None)
                t._grad = g if t._grad is None else t._grad + g
        return
    _run(roots, rg, retain_graph, create_graph, None, None)


def tensor_backward(self: Tensor, gradient: Any = None, retain_graph: bool | None = None,
                    create_graph: bool = False,
                    inputs: Sequence[Tensor] | Tensor | None = None) -> None:
    """Compute the gradient of this tensor w.r.t. graph leaves, as ``torch.Tensor.backward``."""
    fn = self.grad_fn
    if gradient is None and inputs is None and not create_graph and fn is not None:
        # ``backward([self])``'s plain case without its list handling
        data = self._data
        if data.size != 1:
            raise NonscalarBackwardError()
        if data.dtype.kind == "c":
            raise NonscalarBackwardError(dtypes.from_numpy(data.dtype))
        g = np.empty(data.shape, dtype=data.dtype)  # (np.ones: a Python wrapper)
        g.fill(1)
        if work_meter() is None and node_timer[0] is None and \
                _run_plain([(fn, self._output_nr)], [g], bool(retain_graph)):
            return
    backward([self], None if gradient is None else [gradient], retain_graph, create_graph,
             inputs)


def grad(outputs: Sequence[Tensor] | Tensor, inputs: Sequence[Tensor] | Tensor,
         grad_outputs: Any = None, retain_graph: bool | None = None, create_graph: bool = False,
         allow_unused: bool | None = None, is_grads_batched: bool = False,
         materialize_grads: bool = False) -> tuple[Tensor | None, ...]:
    """Gradients of ``outputs`` w.r.t. ``inputs``, returned rather than accumulated."""
    outs = _as_list(outputs)
    ins = _as_list(inputs)
    gouts = None if grad_outputs is None else _as_list(grad_outputs)
    if retain_graph is None:
        retain_graph = create_graph
    if is_grads_batched:
        from .batched import grad_batched

        return grad_batched(grad, outs, ins, gouts, retain_graph, create_graph, allow_unused,
                            materialize_grads)
    roots = _root_edges(outs)
    rg = _root_grads(outs, gouts, create_graph)
    capture: dict[tuple[Node, int], int] = {}
    for i, t in enumerate(ins):
        if isinstance(t, GradientEdge):
            capture[(t.node, t.output_nr)] = i
            continue
        if not isinstance(t, Tensor) or not t.requires_grad:
            raise InvalidArgumentError("One of the differentiated Tensors does not require grad")
        key = (t.grad_fn, t._output_nr) if t.grad_fn is not None else (t._grad_accumulator(), 0)
        capture[key] = i
    got = _run(roots, rg, retain_graph, create_graph, capture, set())
    result: list[Tensor | None] = []
    for i, t in enumerate(ins):
        g = got.get(i)
        if g is None:
            if materialize_grads and isinstance(t, Tensor):
                result.append(Tensor._make(np.zeros_like(t._data), None, 0, None))
                continue
            if not allow_unused:
                raise InvalidArgumentError(
                    f"The differentiated Tensor at index {i} appears to not have been used in "
                    "the graph. Set allow_unused=True if this is the desired behavior."
                )
            result.append(None)
            continue
        if not isinstance(g, Tensor):
            g = Tensor._make(np.array(g, copy=True), None, 0, None)
        result.append(g)
    return tuple(result)


def _elements(g: Any) -> int:
    return int(g._data.size) if isinstance(g, Tensor) else int(np.size(g))
