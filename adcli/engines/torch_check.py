"""Gradient checks of real PyTorch functions: adcli's report, culprit included.

Public API:

- ``gradcheck(fn, inputs, ...)`` / ``gradgradcheck(fn, inputs, ...)``: as
  :func:`adcli.check.gradcheck.gradcheck`, for a function of torch tensors. They return a
  :class:`~adcli.check.report.GradcheckReport` and never raise for a mismatch.
- ``is_torch_input(inputs) -> bool``: True when ``inputs`` holds a torch tensor (the Python
  API then runs here).

How it works: the analytical Jacobian comes from ``torch.autograd.grad`` (rows batched with
``is_grads_batched`` where torch can); the numerical one from central differences whose
perturbed inputs are evaluated as one batch with ``torch.func.vmap`` (chunks of
``BATCH_ELEMENTS``; one call per perturbation where vmap cannot run the function, e.g. a
``torch.autograd.Function`` without a vmap rule). Kinks and noisy estimates are re-examined
with adcli's own diagnosis (:func:`adcli.check.gradcheck._diagnose`).

On failure the culprit search runs the function once more while recording every torch call
(a ``TorchFunctionMode``) and every ``torch.autograd.Function.apply``, with the spec step and
line active at the time (or the caller's source line), then checks each recorded call's
vector-Jacobian product against central differences of that same call, in backward order:
the first that disagrees is the culprit, named by its ``grad_fn`` (``CubeBackward``).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch.overrides import TorchFunctionMode
from torch.utils._pytree import tree_flatten, tree_unflatten

from adcli.check.double_backward import NOT_DIFFERENTIABLE
from adcli.check.double_backward import WRONG as WRONG_DOUBLE_BACKWARD
from adcli.check.finite_diff import numerical_jacobian
from adcli.check.report import Culprit, GradcheckReport, Mismatch, Note, PairResult, rel_error

BATCH_ELEMENTS = 4_000_000
MAX_CHECKED_CALLS = 2_000


def is_torch_input(inputs: Any) -> bool:
    """True when ``inputs`` (a tensor or a sequence of arguments) holds a torch tensor."""
    items = inputs if isinstance(inputs, list | tuple) else (inputs,)
    return any(isinstance(x, torch.Tensor) for x in items)


def _as_outputs(res: Any) -> list[torch.Tensor]:
    items = res if isinstance(res, list | tuple) else (res,)
    outs = [o for o in items if isinstance(o, torch.Tensor)]
    if not outs:
        raise TypeError(f"the checked function returned {type(res).__name__}, not a tensor")
    return outs


# -- evaluating the function at perturbed inputs -------------------------------------------------
class TorchEvaluator:
    """Calls ``fn`` with the checked arguments replaced (what adcli's finite differences use)."""

    def __init__(self, fn: Callable[..., Any], args: list[Any], positions: list[int],
                 base: list[np.ndarray], out_sizes: list[int], grad_inside: bool,
                 vmap: bool = True) -> None:
        self.fn, self.args, self.positions, self.base = fn, args, positions, base
        self.out_sizes = out_sizes
        self.grad_inside = grad_inside
        self.sparse_ok: dict[int, bool] = {}
        self.sparse_chunk: dict[int, int] = {}
        # vmap evaluates without inputs that require grad: a function that differentiates
        # w.r.t. its inputs raises there (then one call per perturbation) or, like a first-
        # derivatives function, must not be batched at all (``vmap=False``).
        self.vmap_ok: dict[int, bool] = {} if vmap else {i: False for i in range(len(base))}
        self.strategy: set[str] = set()
        self.calls = 0
        self.budget = None  # adcli's check budget (adcli.check.budget) is not used on torch
        self.tape = None  # adcli's tape: none on torch (see ``recorded``)
        self.recorded: Any = None  # the recorded evaluation the sparse replay replays
        self.forward_cost = max(1, sum(out_sizes))
        big = max([1, *out_sizes, *[b.size for b in base]])
        self.chunk = max(1, BATCH_ELEMENTS // big)

    def _grad_mode(self) -> Any:
        return torch.enable_grad() if self.grad_inside else torch.no_grad()

    def _flat(self, res: Any) -> torch.Tensor:
        return torch.cat([o.detach().reshape(-1).to(torch.float64) for o in _as_outputs(res)])

    def _args(self, i: int, x: torch.Tensor, leaves: bool = False) -> list[Any]:
        """The arguments with input ``i`` set to ``x`` (``leaves``: inputs that require grad,
        for functions that differentiate inside)."""
        args = list(self.args)
        for k, p in enumerate(self.positions):
            # a copy: the function may write its inputs in place (the base must not change)
            v = x if k == i else torch.from_numpy(self.base[k].copy())
            args[p] = v.detach().requires_grad_(True) if leaves else v
        return args

    def at(self, i: int, x: np.ndarray) -> np.ndarray:
        """All outputs, flattened and concatenated, with input ``i`` set to ``x``."""
        self.calls += 1
        with self._grad_mode():
            args = self._args(i, torch.from_numpy(np.array(x)), leaves=self.grad_inside)
            return self._flat(self.fn(*args)).numpy()

    def onehot(self, i: int, js: Any, eps: float) -> np.ndarray | None:
        """Outputs ``(2c, m)`` at ``+eps`` then ``-eps`` on each flat element ``js`` of input
        ``i``, from the sparse replay of one recorded evaluation (:mod:`.torch_sparse`);
        None when it does not apply. Checked against single calls on first use per input."""
        from adcli.check.finite_diff import _same

        from .torch_sparse import replay_onehot

        ok = self.sparse_ok.get(i)
        if ok is False:
            return None
        try:
            if self.recorded is None:
                self.recorded = self._record()
            tape, leaves, outs = self.recorded
            idx = torch.from_numpy(np.asarray(js, dtype=np.int64).reshape(-1))
            got = replay_onehot(tape, leaves[i], outs, idx, eps).numpy()
            self.calls += 1
        except Exception:
            self.sparse_ok[i] = False
            return None
        if ok is None:
            x, c = self.base[i], len(js)
            for r in sorted({0, 2 * c - 1}):
                xr = x.copy().reshape(-1)
                xr[int(js[r % c])] += eps if r < c else -eps
                if not _same(got[r], self.at(i, xr.reshape(x.shape))):
                    self.sparse_ok[i] = False
                    return None
            self.sparse_ok[i] = True
            m = max(1, got.shape[1])
            self.sparse_chunk[i] = max(1, min(BATCH_ELEMENTS // (2 * m),
                                              BATCH_ELEMENTS // (2 * max(1, len(tape.entries)))))
        self.strategy.add("sparse")
        return got

    def _record(self) -> tuple[Any, list[torch.Tensor], list[torch.Tensor]]:
        """One evaluation at the base point, its ATen calls recorded."""
        from .torch_sparse import record

        args = self._args(-1, torch.zeros(()), leaves=self.grad_inside)
        leaves = [args[p] for p in self.positions]
        with self._grad_mode():
            tape, res = record(self.fn, args)
        return tape, leaves, _as_outputs(res)

    def charge(self, n: int) -> None:
        """No budget on torch (see ``budget``)."""

    def batch(self, i: int, X: np.ndarray) -> np.ndarray:
        """``(B, m)``: the outputs at each of the ``B`` inputs ``X[b]`` (one vmap call)."""
        if self.vmap_ok.get(i, True):
            try:
                from torch.func import vmap

                def one(x: torch.Tensor) -> torch.Tensor:
                    return self._flat(self.fn(*self._args(i, x)))

                with self._grad_mode(), _unguarded():
                    out = vmap(one)(torch.from_numpy(np.ascontiguousarray(X)))
                self.calls += 1
                self.vmap_ok[i] = True
                self.strategy.add("vmap")
                return np.asarray(out.numpy())
            except Exception:
                if self.vmap_ok.get(i):
                    raise
                self.vmap_ok[i] = False
        self.strategy.add("loop")
        return np.stack([self.at(i, X[b]) for b in range(X.shape[0])])


@contextmanager
def _unguarded() -> Iterator[None]:
    """Batched evaluations skip the torch engine's per-call size check: the first run
    checked the sizes, and a batch is bounded by ``BATCH_ELEMENTS``."""
    from . import torch_engine

    prev = torch_engine.GUARD[0]
    torch_engine.GUARD[0] = False
    try:
        yield
    finally:
        torch_engine.GUARD[0] = prev


# -- the check -----------------------------------------------------------------------------------
def _inputs(inputs: Any, names: Sequence[str] | None) -> tuple[list[Any], list[int], list[str]]:
    args = list(inputs) if isinstance(inputs, list | tuple) else [inputs]
    positions = [k for k, a in enumerate(args) if isinstance(a, torch.Tensor) and a.requires_grad]
    if names is None:
        names_ = [f"input{k}" if len(positions) > 1 else "input" for k in range(len(positions))]
        names_ = [f"input{p}" for p in positions] if len(positions) > 1 else names_
    else:
        names_ = list(names)
    return args, positions, names_


def gradcheck(fn: Callable[..., Any], inputs: Any, *, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, fast_mode: bool = False, names: Sequence[str] | None = None,
              projections: int = 2, seed: int = 0, max_worst: int = 10,
              diagnose: bool = True, locate: Callable[[], Any] | None = None,
              needs_grad: bool = False, detached: str = "follow") -> GradcheckReport:
    """Check ``fn``'s first derivatives w.r.t. every input tensor that requires grad.

    ``locate()`` (called while an op runs during the culprit search) may return the
    ``(step, line)`` of the spec statement running it. ``detached="hold"`` holds the values
    the user's own stop-gradients made (``detach()``, ``.item()``, ...) at those of the first
    call, as :func:`adcli.gradcheck` does on adcli's engine (:mod:`.torch_stops`).
    """
    from adcli.check.gradcheck import _note_held

    from .torch_stops import holding

    args, positions, names_ = _inputs(inputs, names)
    fn, holder = holding(late_bound(fn), detached)
    report = _check(fn, args, positions, names_, eps=eps, atol=atol, rtol=rtol,
                    fast=fast_mode, projections=projections, seed=seed, max_worst=max_worst,
                    diagnose=diagnose, locate=locate, order=1, grad_inside=needs_grad)
    _note_held(report, holder)
    return report


def late_bound(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``MyFunction.apply`` itself is bound before a culprit search patches ``apply`` (so it
    would not be recorded): call it through its class at call time instead."""
    owner = getattr(fn, "__self__", None)
    if isinstance(owner, type) and issubclass(owner, torch.autograd.Function):
        def call(*args: Any, **kwargs: Any) -> Any:
            return owner.apply(*args, **kwargs)
        return call
    return fn


def gradgradcheck(fn: Callable[..., Any], inputs: Any, grad_outputs: Any = None, *,
                  eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                  fast_mode: bool = False, names: Sequence[str] | None = None,
                  projections: int = 2, seed: int = 0, max_worst: int = 10,
                  diagnose: bool = True, locate: Callable[[], Any] | None = None,
                  needs_grad: bool = True, detached: str = "follow") -> GradcheckReport:
    """Second derivatives: ``gradcheck`` of ``x -> grad(fn(x), x, grad_outputs)``."""
    from adcli.check.gradcheck import _note_held

    from .torch_stops import holding

    args, positions, names_ = _inputs(inputs, names)
    fn, holder = holding(late_bound(fn), detached)
    started = time.perf_counter()
    try:
        probe = list(args)
        for p in positions:
            probe[p] = args[p].detach().to(torch.float64).requires_grad_(True)
        with torch.enable_grad():
            outs = _as_outputs(fn(*probe))
        if grad_outputs is None:
            rng = np.random.default_rng(seed + 7)
            gos = [torch.from_numpy(rng.standard_normal(tuple(o.shape))) for o in outs]
        else:
            items = grad_outputs if isinstance(grad_outputs, list | tuple) else [grad_outputs]
            gos = [torch.as_tensor(g, dtype=torch.float64) for g in items]
    except Exception as exc:
        return _error_report(exc, names_, 2, fast_mode, eps, atol, rtol, started)

    def first_derivatives(*a: Any) -> tuple[torch.Tensor, ...]:
        xs = [a[p] for p in positions]
        with torch.enable_grad():
            o = _as_outputs(fn(*a))
            used = [(oo, g.to(oo.dtype)) for oo, g in zip(o, gos) if oo.requires_grad]
            if not used:
                return tuple(torch.zeros_like(x) for x in xs)
            gs = torch.autograd.grad([u for u, _ in used], xs, [g for _, g in used],
                                     create_graph=True, allow_unused=True)
        return tuple(g if g is not None else torch.zeros_like(x) for g, x in zip(gs, xs))

    report = _check(first_derivatives, args, positions, names_, eps=eps, atol=atol, rtol=rtol,
                    fast=fast_mode, projections=projections, seed=seed, max_worst=max_worst,
                    diagnose=diagnose, locate=locate, order=2, grad_inside=True,
                    out_names=[f"grad({n})" for n in names_], culprit_fn=fn, culprit_gos=gos)
    _note_held(report, holder)
    report.seconds = time.perf_counter() - started
    return report


def _error_report(exc: BaseException, names: list[str], order: int, fast: bool, eps: float,
                  atol: float, rtol: float, started: float) -> GradcheckReport:
    from adcli.engines.torch_engine import error_kind

    r = GradcheckReport(ok=False, mode="fast" if fast else "full", order=order, eps=eps,
                        atol=atol, rtol=rtol, inputs=list(names))
    r.error = f"{type(exc).__name__}: {exc}"
    r.error_kind = getattr(exc, "kind", None) or error_kind(exc) or "invalid_argument"
    r.seconds = time.perf_counter() - started
    return r


def _check(fn: Callable[..., Any], args: list[Any], positions: list[int], names: list[str], *,
           eps: float, atol: float, rtol: float, fast: bool, projections: int, seed: int,
           max_worst: int, diagnose: bool, locate: Callable[[], Any] | None, order: int,
           grad_inside: bool, out_names: list[str] | None = None,
           culprit_fn: Callable[..., Any] | None = None,
           culprit_gos: list[torch.Tensor] | None = None) -> GradcheckReport:
    started = time.perf_counter()
    report = GradcheckReport(ok=True, mode="fast" if fast else "full", order=order, eps=eps,
                             atol=atol, rtol=rtol, inputs=list(names))
    if not positions:
        report.ok = False
        report.error = "no input tensor requires grad: nothing to check"
        report.error_kind = "invalid_argument"
        return report
    low = sorted({names[i] for i, p in enumerate(positions) if args[p].dtype != torch.float64})
    if low:
        report.notes.append(Note("promotion", f"{', '.join(low)} promoted to float64 for the "
                                              "check (finite differences need the precision)"))
    base = [args[p].detach().to(torch.float64).cpu().numpy().copy() for p in positions]
    leaves = [torch.from_numpy(b.copy()).requires_grad_(True) for b in base]
    call_args = list(args)
    for p, leaf in zip(positions, leaves):
        call_args[p] = leaf
    try:
        with torch.enable_grad():
            outputs = _as_outputs(fn(*call_args))
    except Exception as exc:
        return _error_report(exc, names, order, fast, eps, atol, rtol, started)
    onames = out_names or (["output"] if len(outputs) == 1
                           else [f"output{k}" for k in range(len(outputs))])
    ev = TorchEvaluator(fn, list(args), positions, base, [int(o.numel()) for o in outputs],
                        grad_inside, vmap=order == 1)
    try:
        failing = list(range(len(leaves)))
        if fast:
            failing = _fast(report, ev, leaves, outputs, names, onames, eps, atol, rtol,
                            projections, seed)
        if failing:
            pairs = _full_pairs(ev, leaves, outputs, names, onames, eps, atol, rtol,
                                max_worst, diagnose, report, only=set(failing))
            report.pairs = [p for p in report.pairs if p.input not in
                            {names[i] for i in failing}] + pairs
    except Exception as exc:
        from adcli.engines.torch_engine import error_kind

        report.ok = False
        report.error = f"{type(exc).__name__}: {exc}"
        report.error_kind = getattr(exc, "kind", None) or error_kind(exc) or "invalid_argument"
    for p in report.pairs:
        p.order = order
        for m in p.worst:
            m.order = order
    report.ok = report.error is None and all(p.ok for p in report.pairs)
    if not report.ok and report.error is None and diagnose:
        cargs = call_args if culprit_fn is None else _fresh(args, positions, base)
        recorded: list[torch.Tensor] = []
        try:
            report.culprit = find_culprit(culprit_fn or fn, cargs, eps=eps, atol=atol,
                                          rtol=rtol, locate=locate, order=order,
                                          gos=culprit_gos, outputs=recorded)
        except Exception as exc:
            report.notes.append(Note("culprit", f"culprit search failed: {exc}"))
        try:
            from adcli.check.culprit import culprit_graph

            # the recorded run's graph, where the culprit's node is (torch's own node names)
            report.graph, report.culprit_id = culprit_graph(
                recorded, report.culprit, None, {n: cargs[p] for n, p in zip(names, positions)})
        except Exception as exc:
            report.notes.append(Note("graph", f"graph snapshot failed: {exc}"))
    report.strategy = "torch+" + ("+".join(sorted(ev.strategy)) or "none")
    report.seconds = time.perf_counter() - started
    return report


def _fresh(args: list[Any], positions: list[int], base: list[np.ndarray]) -> list[Any]:
    out = list(args)
    for p, b in zip(positions, base):
        out[p] = torch.from_numpy(b.copy()).requires_grad_(True)
    return out


def _analytical(leaves: list[torch.Tensor], outputs: list[torch.Tensor]) -> list[np.ndarray]:
    """Per leaf, the Jacobian ``(m_total, n_leaf)`` of all outputs, from torch's backward."""
    sizes = [int(o.numel()) for o in outputs]
    m = sum(sizes)
    A = [np.zeros((m, int(leaf.numel()))) for leaf in leaves]
    row = 0
    for out, size in zip(outputs, sizes):
        if out.requires_grad and size:
            eye = torch.eye(size, dtype=out.dtype).reshape(size, *out.shape)
            try:
                gs = torch.autograd.grad(out, leaves, eye, retain_graph=True, allow_unused=True,
                                         is_grads_batched=True)
                for i, g in enumerate(gs):
                    if g is not None:
                        A[i][row:row + size] = g.detach().reshape(size, -1).double().numpy()
            except Exception:
                for r in range(size):
                    gs = torch.autograd.grad(out, leaves, eye[r], retain_graph=True,
                                             allow_unused=True)
                    for i, g in enumerate(gs):
                        if g is not None:
                            A[i][row + r] = g.detach().reshape(-1).double().numpy()
        row += size
    return A


def _fast(report: GradcheckReport, ev: TorchEvaluator, leaves: list[torch.Tensor],
          outputs: list[torch.Tensor], names: list[str], onames: list[str], eps: float,
          atol: float, rtol: float, projections: int, seed: int) -> list[int]:
    """Random projections ``u^T J v`` per input; the inputs that fail (re-checked in full)."""
    from adcli.check.finite_diff import directions

    rng = np.random.default_rng(seed)
    failing = []
    used = [o for o in outputs if o.requires_grad]
    for i, name in enumerate(names):
        us = [[rng.standard_normal(tuple(o.shape)) for o in outputs] for _ in range(projections)]
        vs = [rng.standard_normal(ev.base[i].shape) for _ in range(projections)]
        nums = directions(ev, i, vs, eps)
        worst = 0.0
        ok = True
        for u, v, num in zip(us, vs, nums):
            ucat = np.concatenate([x.reshape(-1) for x in u]) if u else np.zeros(0)
            n_val = float(ucat @ num)
            a_val = 0.0
            if used:
                gos = [torch.from_numpy(x).to(o.dtype) for x, o in zip(u, outputs)
                       if o.requires_grad]
                g = torch.autograd.grad(used, leaves[i], gos, retain_graph=True,
                                        allow_unused=True)[0]
                if g is not None:
                    a_val = float(np.sum(g.detach().double().numpy() * v))
            err = abs(a_val - n_val)
            worst = max(worst, err)
            if not err <= atol + rtol * abs(n_val):
                ok = False
        pr = PairResult(name, "+".join(onames), ok, max_abs_error=worst,
                        n_checked=projections)
        report.pairs.append(pr)
        if not ok:
            failing.append(i)
    return failing


def _full_pairs(ev: TorchEvaluator, leaves: list[torch.Tensor], outputs: list[torch.Tensor],
                names: list[str], onames: list[str], eps: float, atol: float, rtol: float,
                max_worst: int, diagnose: bool, report: GradcheckReport,
                only: set[int]) -> list[PairResult]:
    from adcli.check.gradcheck import _diagnose

    offsets = np.cumsum([0] + [int(o.numel()) for o in outputs])
    A = _analytical(leaves, outputs)
    pairs: list[PairResult] = []
    for i, name in enumerate(names):
        if i not in only:
            continue
        N = numerical_jacobian(ev, i, eps)  # type: ignore[arg-type]
        Ai = A[i]
        cols = np.arange(Ai.shape[1])
        with np.errstate(all="ignore"):
            err = np.abs(Ai - N)
            tol = atol + rtol * np.abs(N)
            bad = ~(err <= tol) & ~(np.isnan(Ai) & np.isnan(N))
        accepted = np.zeros_like(bad)
        stable: dict[int, bool] = {}
        if bad.any() and diagnose:
            _diagnose(ev, i, name, Ai, N, bad, accepted, stable, cols,  # type: ignore[arg-type]
                      eps, atol, rtol, report)
        for k, oname in enumerate(onames):
            sl = slice(offsets[k], offsets[k + 1])
            e_blk, t_blk, b_blk = err[sl], tol[sl], bad[sl] & ~accepted[sl]
            a_blk, n_blk = Ai[sl], N[sl]
            finite = e_blk[np.isfinite(e_blk)]
            pr = PairResult(name, oname, not b_blk.any(), n_checked=int(e_blk.size))
            pr.max_abs_error = float(finite.max()) if finite.size else 0.0
            if not np.isfinite(e_blk).all():
                pr.max_abs_error = float("inf")
            with np.errstate(all="ignore"):
                rel = e_blk / np.maximum(np.abs(n_blk), max(atol, 1e-300))
            rel = np.where(e_blk == 0, 0.0, rel)
            pr.max_rel_error = float(np.nanmax(rel)) if rel.size else 0.0
            pr.n_mismatches = int(b_blk.sum())
            if pr.n_mismatches:
                ratio = np.where(b_blk, e_blk / np.maximum(t_blk, 1e-300), -1.0)
                ratio = np.nan_to_num(ratio, nan=np.inf)
                order = np.argsort(-ratio, axis=None)[:max_worst]
                oshape = tuple(outputs[k].shape)
                ishape = tuple(leaves[i].shape)
                for flat in order:
                    r, c = np.unravel_index(flat, b_blk.shape)
                    if not b_blk[r, c]:
                        break
                    a_val, n_val = float(a_blk[r, c]), float(n_blk[r, c])
                    pr.worst.append(Mismatch(
                        name, tuple(int(x) for x in np.unravel_index(int(cols[c]), ishape)),
                        oname, tuple(int(x) for x in np.unravel_index(int(r), oshape)),
                        a_val, n_val, abs_error=abs(a_val - n_val),
                        rel_error=rel_error(a_val, n_val, atol)))
                worst_col = int(cols[np.unravel_index(order[0], b_blk.shape)[1]])
                pr.stable = stable.get(worst_col)
            pairs.append(pr)
    return pairs


# -- the culprit -------------------------------------------------------------------------------
@dataclass
class _Call:
    """One recorded call: what ran, on which values, where, and what it made."""

    func: Any
    name: str
    flat: list[Any]  # args and kwargs flattened; tensors as snapshots taken before the call
    spec: Any
    diff: list[int]  # positions in ``flat`` of floating tensors that required grad
    node: str
    place: tuple[Any, ...] = (None, None, None)  # (step, line, statement[, file:line])
    inplace: bool = False
    outputs: list[tuple[int, ...]] = field(default_factory=list)
    grad_fn: Any = None  # the node it made (the culprit's node in the report's graph)


ACTIVE: list[Any] = []  # the recorder of a running culprit search (for plugin ops)


def record_plugin(fn: Callable[..., Any], name: str, args: Any, kwargs: Any) -> Any:
    """Call a registered op; while a culprit search records, as one recorded call."""
    if ACTIVE and not ACTIVE[-1].depth:
        return ACTIVE[-1].record(fn, name, args, kwargs)
    return fn(*args, **kwargs)


class _Recorder(TorchFunctionMode):
    """Records every torch call (and ``Function.apply``) that makes a graph node."""

    def __init__(self, locate: Callable[[], Any] | None) -> None:
        super().__init__()
        self.calls: list[_Call] = []
        self.depth = 0
        self.locate = locate

    def __torch_function__(self, func: Any, types: Any, args: Any = (),
                           kwargs: Any = None) -> Any:
        kwargs = kwargs or {}
        if self.depth or getattr(func, "__name__", "") in ("__get__", "__set__"):
            return func(*args, **kwargs)
        return self.record(func, getattr(func, "__name__", str(func)), args, kwargs)

    def record(self, func: Any, name: str, args: Any, kwargs: dict[str, Any]) -> Any:
        flat, spec = tree_flatten((args, kwargs))
        snap = [x.detach().clone() if isinstance(x, torch.Tensor) else x for x in flat]
        diff = [k for k, x in enumerate(flat) if isinstance(x, torch.Tensor)
                and x.requires_grad and x.is_floating_point()]
        self.depth += 1
        try:
            out = func(*args, **kwargs)
        finally:
            self.depth -= 1
        if diff and torch.is_grad_enabled() and len(self.calls) < MAX_CHECKED_CALLS:
            outs = [o for o in tree_flatten(out)[0] if isinstance(o, torch.Tensor)]
            inplace = out is None or name.endswith("_") or name.startswith("__i") \
                or name == "__setitem__"
            if out is None and isinstance(flat[0], torch.Tensor):
                outs = [flat[0]]
            fns = [o.grad_fn for o in outs if o.grad_fn is not None]
            if fns:
                node = str(fns[0].name()).removeprefix("torch::autograd::")
                self.calls.append(_Call(func, name, snap, spec, diff, node,
                                        _place(self.locate), inplace,
                                        [tuple(o.shape) for o in outs], fns[0]))
        return out


def _place(locate: Callable[[], Any] | None) -> tuple[Any, ...]:
    """(step, line, statement) of the running spec statement, else (None, line, source text,
    ``file:line``) of the caller's source line."""
    if locate is not None:
        got = locate()
        if got is not None:
            return tuple(got)
    frame = sys._getframe(2)
    while frame is not None:
        mod = frame.f_globals.get("__name__", "")
        if not (mod.startswith("torch") or mod.startswith("adcli.")
                or mod.startswith("contextlib")):
            import linecache

            where = f"{frame.f_code.co_filename}:{frame.f_lineno}"
            text = linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()
            return None, frame.f_lineno, text or where, where
        frame = frame.f_back  # type: ignore[assignment]
    return None, None, None


@contextmanager
def _recording(rec: _Recorder) -> Iterator[None]:
    """Also records ``torch.autograd.Function.apply`` (not a torch function to the mode)."""
    fn_cls = torch.autograd.Function
    original = fn_cls.__dict__["apply"]

    def apply(cls: Any, *args: Any, **kwargs: Any) -> Any:
        if rec.depth:
            return original.__func__(cls, *args, **kwargs)
        return rec.record(lambda *a, **k: original.__func__(cls, *a, **k), cls.__name__,
                          args, kwargs)

    fn_cls.apply = classmethod(apply)  # type: ignore[assignment, method-assign]
    ACTIVE.append(rec)
    try:
        with rec:
            yield
    finally:
        ACTIVE.pop()
        fn_cls.apply = original  # type: ignore[method-assign]


# The culprit kinds of the JSON contract, as adcli's engine reports them.
WRONG_BACKWARD = Culprit(None).kind


def find_culprit(fn: Callable[..., Any], args: list[Any], *, eps: float, atol: float,
                 rtol: float, locate: Callable[[], Any] | None = None, order: int = 1,
                 gos: list[torch.Tensor] | None = None,
                 outputs: list[torch.Tensor] | None = None) -> Culprit | None:
    """Run ``fn`` once, recording its calls; the first (backward order) whose own backward
    disagrees with finite differences of its forward (order 2: whose double backward does).

    ``outputs`` (a list) receives the recorded run's outputs: the graph the culprit is in.
    """
    fn = late_bound(fn)
    rec = _Recorder(locate)
    with torch.enable_grad(), _recording(rec):
        res = fn(*args)
    if outputs is not None:
        outputs.extend(_as_outputs(res))
    for call in reversed(rec.calls):
        problem = _check_call(call, eps=eps, atol=atol, rtol=rtol, order=order)
        if problem is not None:
            kind, why = problem
            step, line, statement = call.place[:3]
            where = call.place[3] if len(call.place) > 3 else statement
            detail = why if where is None else f"{why} (at {where})"
            culprit = Culprit(call.node, step, line, None, detail, kind=kind,
                              statement=statement)
            culprit.node_ref = call.grad_fn
            return culprit
    return None


def _unit(rng: np.random.Generator, shape: tuple[int, ...]) -> torch.Tensor:
    v = np.asarray(rng.random(shape), dtype=np.float64)
    norm = float(np.sqrt(np.sum(v * v)))
    return torch.from_numpy(np.asarray(v / norm if norm > 0 else v, dtype=np.float64))


def _call_fn(call: _Call) -> Callable[..., list[torch.Tensor]]:
    """The recorded call as a function of its differentiable inputs (fresh values each time)."""
    def run(*xs: torch.Tensor) -> list[torch.Tensor]:
        flat = [x.clone() if isinstance(x, torch.Tensor) else x for x in call.flat]
        for k, x in zip(call.diff, xs):
            flat[k] = x.clone() if call.inplace else x
        a, kw = tree_unflatten(flat, call.spec)
        out = call.func(*a, **kw)
        if out is None:
            out = flat[0]
        return [o for o in tree_flatten(out)[0] if isinstance(o, torch.Tensor)
                and o.is_floating_point()]
    return run


def _cut(firsts: Sequence[torch.Tensor]) -> bool:
    """Whether one of a call's first derivatives has no graph or a ``once_differentiable``
    one: its backward was not built from differentiable operations."""
    for g in firsts:
        fn = g.grad_fn
        if fn is None or "Error" in str(fn.name()):
            return True
    return False


def _check_call(call: _Call, *, eps: float, atol: float, rtol: float, order: int,
                probes: int = 2) -> tuple[str, str] | None:
    """(kind, why) when this call's backward (order 2: double backward) is wrong; None when it
    agrees with its forward (order 2: with its backward)."""
    run = _call_fn(call)
    base = [call.flat[k].detach().to(torch.float64) for k in call.diff]
    if order >= 2:
        inner = run

        def run(*xs: torch.Tensor) -> list[torch.Tensor]:  # the call's first derivatives
            outs = inner(*xs)
            used = [o for o in outs if o.requires_grad]
            if not used:
                return [torch.zeros_like(x) for x in xs]
            rng = np.random.default_rng(99)
            ws = [torch.from_numpy(rng.standard_normal(tuple(o.shape))) for o in used]
            gs = torch.autograd.grad(used, xs, ws, create_graph=True, allow_unused=True)
            return [g if g is not None else torch.zeros_like(x) for g, x in zip(gs, xs)]
    try:
        with torch.enable_grad():
            xs = [b.clone().requires_grad_(True) for b in base]
            outs = run(*xs)
    except Exception:
        return None
    used = [(k, o) for k, o in enumerate(outs) if o.requires_grad]
    if not used and order < 2:
        return None
    # Order 2: first derivatives that do not require grad (a backward that cut its graph)
    # have zero second derivatives by autograd; finite differences will tell.
    for p in range(probes):
        rng = np.random.default_rng(1000 + p)
        us = [_unit(rng, tuple(o.shape)).to(o.dtype) for o in outs]
        gs: Sequence[torch.Tensor | None] = [None] * len(xs)
        try:
            if used:
                with torch.enable_grad():
                    gs = torch.autograd.grad([o for _, o in used], xs,
                                             [us[k] for k, _ in used], retain_graph=True,
                                             allow_unused=True)
        except Exception as exc:
            if order >= 2:
                return NOT_DIFFERENTIABLE, (f"{call.node}'s backward cannot be differentiated: "
                                            f"{type(exc).__name__}: {exc}; its second "
                                            "derivative is needed for order 2")
            return WRONG_BACKWARD, f"backward raised {type(exc).__name__}: {exc}"
        for j, (b, g) in enumerate(zip(base, gs)):
            if g is None:
                g = torch.zeros_like(b)
            if tuple(g.shape) != tuple(b.shape):
                return WRONG_BACKWARD, (f"backward returned a gradient of shape "
                                        f"{list(g.shape)} for input {j} of shape "
                                        f"{list(b.shape)}")
            v = _unit(rng, tuple(b.shape))
            analytical = float((g.detach().double() * v).sum())

            def along(t: float, j: int = j, v: torch.Tensor = v,
                      us: list[torch.Tensor] = us) -> float:
                pts = [x.detach().clone() for x in base]
                pts[j] = pts[j] + t * v
                with torch.enable_grad() if order >= 2 else torch.no_grad():
                    if order >= 2:
                        pts = [x.requires_grad_(True) for x in pts]
                    o = run(*pts)
                return float(sum((u * oo.detach().double()).sum() for u, oo in zip(us, o)))

            try:
                numerical = (along(eps) - along(-eps)) / (2 * eps)
            except Exception:
                return None
            scale = float(sum(u.sum() for u in us)) * float(v.sum())
            tol = atol * scale + rtol * abs(numerical)
            if not abs(analytical - numerical) <= tol:
                try:
                    f0, fp, fm = along(0.0), along(eps), along(-eps)
                except Exception:
                    return None
                left, right = (f0 - fm) / eps, (fp - f0) / eps
                ktol = 1e-6 * (1 + abs(left) + abs(right))
                if abs(left - right) > ktol and \
                        min(left, right) - ktol <= analytical <= max(left, right) + ktol:
                    continue  # a kink: the backward gives a subgradient
                what = "double backward" if order >= 2 else "backward"
                numbers = (f"input {j}: u^T J v is {analytical:.6g} by its {what}, "
                           f"{numerical:.6g} by finite differences of its "
                           f"{'backward' if order >= 2 else 'forward'}")
                if order < 2:
                    return WRONG_BACKWARD, numbers
                if len(used) < len(outs) or _cut(outs):
                    return NOT_DIFFERENTIABLE, (
                        f"{numbers}: its backward's result has no graph back to input {j} "
                        "although it requires grad, so it was computed without "
                        "differentiable operations (.detach(), NumPy, no_grad or "
                        "@once_differentiable) and its second derivative is taken as 0")
                return WRONG_DOUBLE_BACKWARD, numbers
    return None
