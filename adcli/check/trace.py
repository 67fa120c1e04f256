"""Recording what a checked function does, and replaying it on a batch of perturbed inputs.

A :class:`Tape` observes every table op (``OpDef.__call__``) and every custom Function
(``Function.apply``) while the function runs. The tape serves two purposes: the culprit
search re-runs each node's own forward at its recorded inputs, and :func:`replay_batched`
re-evaluates the function for many perturbations of one input in a few NumPy calls.

The tape listens through the engine's call-observer hook (``adcli.engine.hooks``) for the
duration of the ``with`` block.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from adcli.engine.function import call_part
from adcli.engine.grad_mode import no_grad
from adcli.engine.hooks import add_call_observer
from adcli.engine.op import OpDef
from adcli.engine.tensor import Tensor


class Entry:
    """One recorded call: a table op (``op``) or a custom Function (``fn_cls``)."""

    __slots__ = ("args", "fn_cls", "kwargs", "op", "outputs", "tuple_out", "values")

    def __init__(self, op: OpDef | None, fn_cls: type | None, args: tuple[Any, ...],
                 kwargs: dict[str, Any], outputs: tuple[Any, ...], tuple_out: bool) -> None:
        self.op = op
        self.fn_cls = fn_cls
        self.args = args
        # The arrays at call time: a later in-place write must not change what we replay.
        self.values = [a._data if isinstance(a, Tensor) else a for a in args]
        self.kwargs = kwargs
        self.outputs = outputs
        self.tuple_out = tuple_out

    @property
    def node(self) -> Any:
        for o in self.outputs:
            if isinstance(o, Tensor) and o.grad_fn is not None:
                return o.grad_fn
        return None

    @property
    def edge_positions(self) -> list[int]:
        """The argument behind each of the node's ``next_functions``."""
        if self.op is not None:
            return list(range(len(self.args)))
        return [k for k, a in enumerate(self.args) if isinstance(a, Tensor)]

    def forward(self, values: list[Any]) -> list[np.ndarray]:
        """Re-run this call's forward on ``values`` (one per argument); the output arrays."""
        if self.op is not None:
            out = self.op.forward(*values, **self.kwargs)
            if self.op.extras:
                return [np.asarray(out[0])]
            if self.op.multi_output:
                return [np.asarray(o) for o in out]
            return [np.asarray(out)]
        assert self.fn_cls is not None
        args = [Tensor._make(np.asarray(v), None, 0, None) if isinstance(a, Tensor) else a
                for a, v in zip(self.args, values)]
        ctx = self.fn_cls._node_cls()  # type: ignore[attr-defined]
        with no_grad():
            res = call_part(self.fn_cls, "forward", ctx, args, self.kwargs)
        outs = res if isinstance(res, tuple) else (res,)
        return [np.asarray(o._data if isinstance(o, Tensor) else o) for o in outs]


class Tape:
    """Records op and Function calls made inside ``with tape:`` (not nested ones)."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self.inplace = False
        self.depth = 0
        self.forward_end: int | None = None

    def __enter__(self) -> Tape:
        self._ctx = _patched(self)
        self._ctx.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._ctx.__exit__(*exc)

    def producers(self) -> dict[int, Entry]:
        """``id(node)`` → the entry that created it."""
        out: dict[int, Entry] = {}
        for e in self.entries:
            node = e.node
            if node is not None:
                out[id(node)] = e
        return out


_ACTIVE: list[Tape] = []


def mark_forward_end() -> None:
    """While a tape records a first-derivative function: the calls so far were its forward
    (the second-order culprit search checks those nodes' double backward)."""
    if _ACTIVE:
        _ACTIVE[-1].forward_end = len(_ACTIVE[-1].entries)


@contextmanager
def _patched(tape: Tape) -> Iterator[None]:
    """Record top-level calls into ``tape`` through the engine's call-observer hook."""

    def observer(kind: str, target: Any, args: tuple[Any, ...], kwargs: dict[str, Any],
                 out: Any) -> None:
        if kind == "inplace":
            for t in _ACTIVE:
                t.inplace = True
            return
        if _ACTIVE[-1] is not tape:  # a nested check records into its own tape only
            return
        is_tuple = isinstance(out, tuple)
        outs = out if is_tuple else (out,)
        if kind == "op":
            tape.entries.append(Entry(target, None, args, kwargs, outs, is_tuple))
        else:
            tape.entries.append(Entry(None, target, args, kwargs, outs, is_tuple))

    _ACTIVE.append(tape)
    handle = add_call_observer(observer)
    try:
        yield
    finally:
        handle.remove()
        _ACTIVE.remove(tape)


# -- batched replay ----------------------------------------------------------------------------
_ELEMENTWISE = frozenset({
    "add", "sub", "rsub", "mul", "div", "reciprocal", "neg", "pow", "pow_tensor", "pow_base",
    "exp", "log", "log1p", "sqrt", "abs", "sign", "sin", "cos", "tan", "tanh", "sigmoid", "erf",
    "relu", "leaky_relu", "elu", "softplus", "gelu", "silu", "clamp", "maximum", "minimum",
    "where", "clone", "to",
})
_RESHAPES = frozenset({"view", "_unsafe_view", "_reshape_alias", "squeeze", "squeeze_dim",
                       "squeeze_dims", "squeeze_", "unsqueeze"})
_DIM_OPS = frozenset({"sum_dim", "mean_dim", "softmax", "log_softmax", "logsumexp", "amax",
                      "amin", "prod_dim"})


class ReplayError(Exception):
    """The tape cannot stand for the function (the caller falls back to single calls)."""


def _lift(arr: Any, batched: bool, nd: int) -> Any:
    # A batched array (B, *s) gets singleton axes after B so NumPy aligns s with the rest.
    if not batched:
        return arr
    pad = nd - (arr.ndim - 1)
    return arr.reshape((arr.shape[0],) + (1,) * pad + arr.shape[1:]) if pad > 0 else arr


def _shift(dims: Any) -> Any:
    if isinstance(dims, tuple | list):
        return tuple(d + 1 if d >= 0 else d for d in dims)
    return dims + 1 if dims >= 0 else dims


def _batched_call(e: Entry, vals: list[Any], flags: list[bool], B: int) -> list[np.ndarray]:
    op = e.op
    if op is not None and not op.multi_output and not op.extras:
        name = op.name
        kw = e.kwargs
        if name in _ELEMENTWISE:
            nd = max(np.ndim(v) - f for v, f in zip(vals, flags))
            out = op.forward(*[_lift(v, f, nd) for v, f in zip(vals, flags)], **kw)
            return [np.asarray(out)]
        (x,) = vals[:1]
        if name in ("sum", "mean") and len(vals) == 1:
            r = x.reshape(B, -1)
            return [r.sum(axis=1) if name == "sum" else r.mean(axis=1)]
        if name in _DIM_OPS and len(vals) == 1 and "dim" in kw:
            return [np.asarray(op.forward(x, **{**kw, "dim": _shift(kw["dim"])}))]
        ref = e.outputs[0]._data
        if name in _RESHAPES and len(vals) == 1:
            return [x.reshape((B, *ref.shape))]
        if name == "expand" and len(vals) == 1:
            return [np.broadcast_to(_lift(x, True, ref.ndim), (B, *ref.shape))]
        if name in ("t", "transpose") and len(vals) == 1:
            if name == "t":
                return [x if x.ndim < 3 else np.swapaxes(x, -1, -2)]
            return [np.swapaxes(x, kw["dim0"] + 1, kw["dim1"] + 1)]
        if name == "permute" and len(vals) == 1:
            return [np.transpose(x, (0, *_shift(kw["dims"])))]
        if name == "mm" and len(vals) == 2:
            return [np.matmul(vals[0], vals[1])]
        if name == "mv" and len(vals) == 2:
            a, v = vals
            if flags[1]:
                return [np.matmul(a, v[..., None])[..., 0]]
            return [np.matmul(a, v)]
        if name == "dot" and len(vals) == 2:
            nd = 1
            return [np.sum(_lift(vals[0], flags[0], nd) * _lift(vals[1], flags[1], nd), axis=-1)]
    # Anything else: one forward per batch item (still no graph and no Python-level fn call).
    per_item: list[list[np.ndarray]] = []
    for b in range(B):
        per_item.append(e.forward([v[b] if f else v for v, f in zip(vals, flags)]))
    return [np.stack([items[k] for items in per_item]) for k in range(len(per_item[0]))]


def replay_batched(tape: Tape, leaves: list[Tensor], outputs: list[Tensor], which: int,
                   batch: np.ndarray) -> list[np.ndarray]:
    """Outputs (each ``(B, *shape)``) with ``leaves[which]`` replaced by each of ``batch``."""
    if tape.inplace:
        raise ReplayError("the function writes in place")
    B = batch.shape[0]
    env: dict[int, np.ndarray] = {id(leaves[which]): batch}
    for e in tape.entries:
        flags = [isinstance(a, Tensor) and id(a) in env for a in e.args]
        if not any(flags):
            continue
        vals = [env[id(a)] if f else v for a, f, v in zip(e.args, flags, e.values)]
        outs = _batched_call(e, vals, flags, B)
        for k, o in enumerate(e.outputs):
            if isinstance(o, Tensor) and k < len(outs):
                env[id(o)] = outs[k]
    result = []
    for o in outputs:
        arr = env.get(id(o))
        if arr is None:
            arr = np.broadcast_to(o._data, (B, *o._data.shape))
        if arr.shape != (B, *o._data.shape):
            raise ReplayError("batched result has the wrong shape")
        result.append(arr)
    return result
