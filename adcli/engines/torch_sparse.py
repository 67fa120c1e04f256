"""One-hot perturbations replayed sparsely on torch: each batch item carries one value.

The torch counterpart of :mod:`adcli.check.sparse`. One evaluation of the checked function
is recorded at the ATen level (a ``TorchDispatchMode``: what torch actually computes, custom
``Function`` forwards included). Perturbing element ``j`` of an input changes, in an
intermediate that is connected to it elementwise, one element only. :func:`replay_onehot`
replays the recorded ops for a batch of ``±eps`` one-hot perturbations, representing each
tracked intermediate by its recorded value plus, per batch item, one flat position and the
value there:

- pointwise ops (torch's own ``Tag.pointwise``) recompute that one element from the operands'
  values at the position (values of the function at the perturbed input, not a
  linearisation);
- ``sum``/``mean`` add the item's change to the recorded result at the reduced position;
- view-like ops (reshape, transpose, select, slice, flip, ...) move the position: their index
  map is read by running the op on ``arange``; one that copies an element twice is refused.

Any other op on a tracked value (a matmul, a softmax, ``.item()``, an in-place write) raises
:class:`UnsupportedError` and the caller falls back to dense batches. The evaluator checks the
replay against single calls before it trusts it, as adcli's own engine does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten, tree_unflatten

aten = torch.ops.aten


class UnsupportedError(Exception):
    """The recorded function cannot be replayed sparsely (the caller batches densely)."""


@dataclass
class Entry:
    """One recorded ATen call."""

    func: Any
    flat: list[Any]
    spec: Any
    outs: list[Any]


class Tape(TorchDispatchMode):
    """Records every ATen call (holding its tensors, so their ids stay unique)."""

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[Entry] = []
        self.mutates = False

    def __torch_dispatch__(self, func: Any, types: Any, args: Any = (),
                           kwargs: Any = None) -> Any:
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        if func._schema.is_mutable:
            self.mutates = True
        flat, spec = tree_flatten((args, kwargs))
        self.entries.append(Entry(func, flat, spec, tree_flatten(out)[0]))
        return out


def record(fn: Callable[..., Any], args: list[Any]) -> tuple[Tape, Any]:
    """Run ``fn(*args)`` once, recording its ATen calls."""
    tape = Tape()
    with tape:
        res = fn(*args)
    return tape, res


# -- the index map of a view-like op -----------------------------------------------------------
_MOVES = frozenset({
    "view", "_unsafe_view", "reshape", "alias", "t", "transpose", "permute", "squeeze",
    "unsqueeze", "select", "slice", "flip", "narrow", "index_select", "index", "diagonal",
    "movedim", "unbind", "split", "split_with_sizes", "chunk", "unflatten", "flatten",
    "roll", "gather", "take", "expand", "repeat", "tile", "contiguous",
    "clone", "detach", "lift_fresh", "lift_fresh_copy", "_reshape_alias", "view_as",
    "squeeze_copy", "unsqueeze_copy", "view_copy", "permute_copy", "t_copy",
    "transpose_copy", "expand_copy", "slice_copy", "select_copy",
})
_SUMS = {"sum": False, "mean": True}


def _name(func: Any) -> str:
    return str(func._schema.name).removeprefix("aten::")


@dataclass
class Hot:
    """A tracked tensor: for item ``b``, the value ``V[b]`` at flat position ``pos[b]``."""

    pos: torch.Tensor
    V: torch.Tensor


def _move(e: Entry, k: int, x: Hot, base: torch.Tensor, B: int,
          env: dict[int, Hot]) -> None:
    """A view-like op on tracked operand ``k``: the same values at their new positions."""
    n = base.numel()
    flat = list(e.flat)
    flat[k] = torch.arange(n, dtype=torch.int64).reshape(base.shape)
    a, kw = tree_unflatten(flat, e.spec)
    got = [o for o in tree_flatten(e.func(*a, **kw))[0] if isinstance(o, torch.Tensor)]
    outs = [o for o in e.outs if isinstance(o, torch.Tensor)]
    if len(got) != len(outs):
        raise UnsupportedError(f"{_name(e.func)}: outputs differ")
    for idx, out in zip(got, outs):
        idx = idx.reshape(-1)
        if idx.numel() == 0:
            continue
        if idx.numel() != out.numel() or int(torch.bincount(idx, minlength=n).max()) > 1:
            raise UnsupportedError(f"{_name(e.func)} copies an element more than once")
        inv = torch.full((n,), -1, dtype=torch.int64)
        inv[idx] = torch.arange(idx.numel())
        pos = inv[x.pos]
        gone = pos < 0
        V = x.V
        if bool(gone.any()):
            # The item's changed element is not in this output: it holds its recorded values.
            pos = torch.where(gone, torch.zeros_like(pos), pos)
            V = torch.where(gone, out.reshape(-1)[0].to(V.dtype), V)
        if V.dtype != out.dtype:
            raise UnsupportedError(f"{_name(e.func)} changes the dtype")
        env[id(out)] = Hot(pos, V)


def _pointwise(e: Entry, tracked: dict[int, Hot], B: int, env: dict[int, Hot]) -> None:
    """Recompute each item's one changed element from the operands' values there."""
    outs = [o for o in e.outs if isinstance(o, torch.Tensor)]
    if len(outs) != 1:
        raise UnsupportedError(f"{_name(e.func)}: several outputs")
    out = outs[0]
    shape = tuple(out.shape)
    pos = None
    for k, h in tracked.items():
        if tuple(e.flat[k].shape) != shape:
            raise UnsupportedError(f"{_name(e.func)} broadcasts a perturbed operand")
        if pos is None:
            pos = h.pos
        elif h.pos is not pos and not torch.equal(h.pos, pos):
            raise UnsupportedError(f"{_name(e.func)}: operands changed at different elements")
    assert pos is not None
    flat = list(e.flat)
    for k, v in enumerate(flat):
        if k in tracked:
            flat[k] = tracked[k].V
        elif isinstance(v, torch.Tensor) and v.dim() > 0:
            flat[k] = v.expand(shape).reshape(-1)[pos]
    a, kw = tree_unflatten(flat, e.spec)
    V = e.func(*a, **kw)
    if not isinstance(V, torch.Tensor) or tuple(V.shape) != (B,):
        raise UnsupportedError(f"{_name(e.func)}: unexpected result")
    env[id(out)] = Hot(pos, V)


def _reduce(e: Entry, k: int, x: Hot, base: torch.Tensor, mean: bool,
            env: dict[int, Hot]) -> None:
    """``sum``/``mean`` (all or some dims): the recorded result plus each item's change."""
    out = e.outs[0]
    if not isinstance(out, torch.Tensor) or len(e.outs) != 1 or k != 0:
        raise UnsupportedError("reduction")
    a, kw = tree_unflatten(e.flat, e.spec)
    nd = base.dim()
    dims: Any = a[1] if len(a) > 1 else kw.get("dim")
    keepdim = bool(a[2] if len(a) > 2 else kw.get("keepdim", False))
    if dims is None or (isinstance(dims, list | tuple) and len(dims) == 0):
        dims = list(range(nd))
    dims = sorted({d % max(nd, 1) for d in (dims if isinstance(dims, list | tuple) else [dims])})
    count = 1
    for d in dims:
        count *= base.shape[d] if nd else 1
    old = base.reshape(-1)[x.pos]
    change = x.V.to(out.dtype) - old.to(out.dtype)
    if not bool(torch.isfinite(change).all()):
        raise UnsupportedError("a change that is not finite")
    if mean:
        change = change / count
    if nd:
        idx = list(torch.unravel_index(x.pos, tuple(base.shape)))
        oidx = [torch.zeros_like(i) if d in dims else i for d, i in enumerate(idx)
                if keepdim or d not in dims]
        opos = torch.zeros_like(x.pos)
        for i, s in zip(oidx, _strides(tuple(out.shape))):
            opos = opos + i * s
    else:
        opos = torch.zeros_like(x.pos)
    rec = out.reshape(-1)[opos]
    if not bool(torch.isfinite(rec).all()):
        raise UnsupportedError("a recorded sum that is not finite")
    env[id(out)] = Hot(opos, rec + change)


def _strides(shape: tuple[int, ...]) -> list[int]:
    out, s = [], 1
    for n in reversed(shape):
        out.append(s)
        s *= n
    return out[::-1]


def replay_onehot(tape: Tape, leaf: torch.Tensor, outputs: list[torch.Tensor],
                  js: torch.Tensor, eps: float) -> torch.Tensor:
    """``(2c, m)``: the outputs (flattened, concatenated, float64) at ``+eps`` then ``-eps`` on
    each flat element ``js`` of ``leaf`` (the recorded input)."""
    if tape.mutates:
        raise UnsupportedError("the function writes in place")
    if leaf.numel() == 0:
        raise UnsupportedError("an empty input")
    c = int(js.numel())
    B = 2 * c
    pos = torch.cat([js, js])
    x0 = leaf.detach().reshape(-1)[pos]
    V = x0 + torch.cat([torch.full((c,), eps, dtype=x0.dtype),
                        torch.full((c,), -eps, dtype=x0.dtype)])
    env: dict[int, Hot] = {id(leaf): Hot(pos, V)}
    for e in tape.entries:
        tracked = {k: env[id(v)] for k, v in enumerate(e.flat)
                   if isinstance(v, torch.Tensor) and id(v) in env}
        if not tracked:
            continue
        name = _name(e.func)
        if torch.Tag.pointwise in e.func.tags or name == "_to_copy":
            _pointwise(e, tracked, B, env)
        elif len(tracked) == 1 and name in _SUMS:
            (k, h), = tracked.items()
            _reduce(e, k, h, e.flat[k], _SUMS[name], env)
        elif len(tracked) == 1 and 0 in tracked and name in _MOVES:
            (k, h), = tracked.items()
            _move(e, k, h, e.flat[k], B, env)
        else:
            raise UnsupportedError(f"{name} on a perturbed value")
    cols = []
    for o in outputs:
        dense = o.detach().reshape(1, -1).to(torch.float64).repeat(B, 1)
        h = env.get(id(o))
        if h is not None:
            dense[torch.arange(B), h.pos] = h.V.to(torch.float64)
        cols.append(dense)
    return torch.cat(cols, dim=1)
