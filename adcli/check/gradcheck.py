"""``adcli.gradcheck`` / ``adcli.gradgradcheck``: analytical vs numerical derivatives.

Both return a :class:`~adcli.check.report.GradcheckReport`; they never print, raise for a
mismatch, or exit. A mismatch is ``abs(analytical - numerical) > atol + rtol * abs(numerical)``.
On failure the report says which node is to blame (``culprit``), and mismatches explained by
a non-differentiable point (kink) or by an unstable numerical estimate (noise) become notes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from typing import Any

import numpy as np

from adcli.engine import dtypes
from adcli.engine.backward import grad as autograd_grad
from adcli.engine.grad_mode import enable_grad
from adcli.engine.tensor import Tensor
from adcli.engine.usercode import engine_bug

from . import progress, split
from .budget import Budget, BudgetError
from .complex_split import real_view
from .culprit import Locate, culprit_graph, find_culprit
from .double_backward import find_double_backward_culprit
from .evidence import HeatmapBuilder, step_sweep
from .finite_diff import (
    Evaluator,
    as_outputs,
    central_at,
    directions,
    jacobian_chunks,
    one_sided,
)
from .heap import chunk_heap
from .report import GradcheckReport, Mismatch, Note, PairResult, rel_error
from .stream import PairAcc, column_blocks
from .trace import Tape, mark_forward_end

__all__ = ["gradcheck", "gradgradcheck", "GradcheckReport"]

MAX_DIAGNOSED = 200  # Jacobian columns re-examined for kinks and noise per input
FAST_RECHECK_LIMIT = 20_000  # above this, a failing fast check re-checks a sample in full


@contextmanager
def _float64() -> Iterator[None]:
    prev = dtypes.get_default_dtype()
    dtypes.set_default_dtype(dtypes.float64)
    try:
        with np.errstate(all="ignore"):
            yield
    finally:
        dtypes.set_default_dtype(prev)


def _on_torch(inputs: Any) -> bool:
    """True for torch tensors among the inputs (torch is never imported to find out)."""
    import sys

    if "torch" not in sys.modules:
        return False
    from adcli.engines.torch_check import is_torch_input

    return is_torch_input(inputs)


def _fmt_index(name: str, index: tuple[int, ...]) -> str:
    return f"{name}[{', '.join(str(i) for i in index)}]" if index else name


def gradcheck(fn: Callable[..., Any], inputs: Any, *, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, fast_mode: bool = False, names: Sequence[str] | None = None,
              projections: int = 2, seed: int = 0, max_worst: int = 10,
              diagnose: bool = True, locate: Locate | None = None,
              needs_grad: bool = False, strict: bool = False,
              budget: Budget | None = None, detached: str = "hold",
              keep_graph: bool = False, jobs: int = 1) -> GradcheckReport:
    """Check ``fn``'s derivatives w.r.t. every input tensor that requires grad.

    ``inputs`` is a tensor or a tuple of arguments. Full mode compares every Jacobian entry
    (central differences in float64); ``fast_mode`` compares ``projections`` random
    projections ``u^T J v`` and re-checks a failing input in full. ``names`` label the
    inputs in the report; ``locate(node)`` may map a graph node to (tensor, step, line).
    ``needs_grad`` evaluates ``fn`` with grad mode on even for finite differences (for
    functions that differentiate inside). A ``budget`` (:class:`~adcli.check.budget.Budget`)
    bounds the check's work and memory: a check over it is refused before it runs (or
    stopped) with a report error naming the numbers. Torch tensors in ``inputs`` run the
    check on PyTorch (:mod:`adcli.engines.torch_check`), with the same report.
    ``detached="hold"`` checks ``fn`` as written: values made by ``detach()``, ``.data``,
    ``.item()``, ``.tolist()``, ``float()``/``int()`` keep the values of the first call while
    inputs are perturbed; ``"follow"`` lets finite differences see through them (torch's way).
    ``keep_graph`` keeps the checked graph's snapshot in ``report.graph`` also when the
    check passes (failures always keep it), for pictures. ``jobs`` > 1 splits a full check's
    Jacobian columns across that many processes (forked, on Linux; elsewhere, and for fewer
    than :data:`~adcli.check.split.MIN_COLUMNS` columns, one process does all): the same
    report, in less wall time.
    """
    if _on_torch(inputs):
        from adcli.engines import torch_check

        return torch_check.gradcheck(fn, inputs, eps=eps, atol=atol, rtol=rtol,
                                     fast_mode=fast_mode, names=names, projections=projections,
                                     seed=seed, max_worst=max_worst, diagnose=diagnose,
                                     needs_grad=needs_grad, detached=detached)
    fn, inputs, names = real_view(fn, inputs, names)  # complex: real and imaginary parts
    args, positions, names_ = _inputs(inputs, names)
    fn, holder = _holding(fn, detached)
    report = _check(fn, args, positions, names_, eps=eps, atol=atol, rtol=rtol, fast=fast_mode,
                    projections=projections, seed=seed, max_worst=max_worst, diagnose=diagnose,
                    locate=locate, order=1, grad_inside=needs_grad, strict=strict,
                    budget=budget, keep_graph=keep_graph, jobs=jobs)
    _note_held(report, holder)
    return report


def _holding(fn: Callable[..., Any], detached: str
             ) -> tuple[Callable[..., Any], Any]:
    """``fn`` with its stop-gradients held at the values of its first call (``"hold"``)."""
    if detached not in ("hold", "follow"):
        raise ValueError(f"detached must be 'hold' or 'follow', not {detached!r}")
    if detached == "follow":
        return fn, None
    from .stopgrad import Holder, installed

    holder = Holder()

    def held(*a: Any) -> Any:
        holder.start()
        with installed(holder):
            out = fn(*a)
        holder.recording = False
        return out

    return held, holder


def _note_held(report: GradcheckReport, holder: Any) -> None:
    if holder is None or not holder.held:
        return
    kinds: dict[str, int] = {}
    for h in holder.held:
        kinds[h.kind] = kinds.get(h.kind, 0) + 1
    what = ", ".join(f"{k} x{n}" if n > 1 else k for k, n in kinds.items())
    report.notes.append(Note("held", f"held constant: {len(holder.held)} value(s) from "
                             f"stop-gradients ({what}); detached='follow' lets finite "
                             "differences see through them, as torch.autograd.gradcheck does"))


def gradgradcheck(fn: Callable[..., Any], inputs: Any, grad_outputs: Any = None, *,
                  eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                  fast_mode: bool = False, names: Sequence[str] | None = None,
                  projections: int = 2, seed: int = 0, max_worst: int = 10,
                  diagnose: bool = True, locate: Locate | None = None,
                  needs_grad: bool = True, strict: bool = False,
                  budget: Budget | None = None, detached: str = "hold",
                  keep_graph: bool = False, jobs: int = 1) -> GradcheckReport:
    """Check second derivatives: ``gradcheck`` of ``x -> grad(fn(x), x, grad_outputs)``.

    ``grad_outputs`` defaults to fixed random tensors (seeded) shaped like the outputs.
    """
    if _on_torch(inputs):
        from adcli.engines import torch_check

        return torch_check.gradgradcheck(fn, inputs, grad_outputs, eps=eps, atol=atol,
                                         rtol=rtol, fast_mode=fast_mode, names=names,
                                         projections=projections, seed=seed,
                                         max_worst=max_worst, diagnose=diagnose,
                                         detached=detached)
    args, positions, names_ = _inputs(inputs, names)
    fn, holder = _holding(fn, detached)
    started = time.perf_counter()
    try:
        with _float64(), enable_grad():
            probe = list(args)
            for p in positions:
                probe[p] = Tensor._make(np.array(args[p]._data, dtype=np.float64), None, 0,
                                        None).requires_grad_(True)
            outs = as_outputs(fn(*probe))
        if grad_outputs is None:
            rng = np.random.default_rng(seed + 7)
            gos = [rng.standard_normal(o._data.shape) for o in outs]
        else:
            go_list = [grad_outputs] if isinstance(grad_outputs, Tensor | np.ndarray) \
                else list(grad_outputs)
            gos = [np.asarray(g._data if isinstance(g, Tensor) else g, dtype=np.float64)
                   for g in go_list]
    except Exception as exc:
        return _error_report(exc, names_, 2, fast_mode, eps, atol, rtol, started)

    def first_derivatives(*a: Any) -> tuple[Tensor, ...]:
        xs = [a[p] for p in positions]
        o = as_outputs(fn(*a))
        mark_forward_end()
        go = [Tensor._make(g.astype(oo._data.dtype, copy=False), None, 0, None)
              for g, oo in zip(gos, o)]
        used = [oo for oo in o if oo.requires_grad]
        used_go = [g for g, oo in zip(go, o) if oo.requires_grad]
        if not used:
            return tuple(Tensor._make(np.zeros_like(x._data), None, 0, None) for x in xs)
        gs = autograd_grad(used, xs, grad_outputs=used_go, create_graph=True, allow_unused=True)
        return tuple(g if g is not None else Tensor._make(np.zeros_like(x._data), None, 0, None)
                     for g, x in zip(gs, xs))

    report = _check(first_derivatives, args, positions, names_, eps=eps, atol=atol, rtol=rtol,
                    fast=fast_mode, projections=projections, seed=seed, max_worst=max_worst,
                    diagnose=diagnose, locate=locate, order=2, grad_inside=True,
                    out_names=[f"grad({n})" for n in names_], strict=strict,
                    budget=budget, keep_graph=keep_graph, jobs=jobs)
    _note_held(report, holder)
    report.seconds = time.perf_counter() - started
    return report


# -- the check ---------------------------------------------------------------------------------
def _inputs(inputs: Any, names: Sequence[str] | None) -> tuple[list[Any], list[int], list[str]]:
    args = list(inputs) if isinstance(inputs, tuple | list) else [inputs]
    positions = [k for k, a in enumerate(args)
                 if isinstance(a, Tensor) and a.requires_grad and a._data.dtype.kind == "f"]
    if names is not None:
        names_ = list(names)
        if len(names_) != len(positions):
            raise ValueError(f"names: got {len(names_)} names for {len(positions)} checked inputs")
    else:
        names_ = [f"input{k}" for k in positions] if len(args) > 1 else ["input"] * len(positions)
    return args, positions, names_


def _error_report(exc: BaseException, names: list[str], order: int, fast: bool, eps: float,
                  atol: float, rtol: float, started: float) -> GradcheckReport:
    kind = getattr(exc, "kind", None) or "invalid_argument"
    return GradcheckReport(ok=False, mode="fast" if fast else "full", order=order, eps=eps,
                           atol=atol, rtol=rtol, inputs=list(names),
                           error=f"{type(exc).__name__}: {exc}" if not getattr(exc, "kind", None)
                           else str(exc), error_kind=kind,
                           seconds=time.perf_counter() - started)


def _check(fn: Callable[..., Any], args: list[Any], positions: list[int], names: list[str], *,
           eps: float, atol: float, rtol: float, fast: bool, projections: int, seed: int,
           max_worst: int, diagnose: bool, locate: Locate | None, order: int,
           grad_inside: bool, out_names: list[str] | None = None,
           strict: bool = False, budget: Budget | None = None,
           keep_graph: bool = False, jobs: int = 1) -> GradcheckReport:
    started = time.perf_counter()
    report = GradcheckReport(ok=True, mode="fast" if fast else "full", order=order, eps=eps,
                             atol=atol, rtol=rtol, inputs=list(names))
    report.strict = strict
    if not positions:
        report.ok = False
        report.error = "no input tensor requires grad: nothing to check"
        report.error_kind = "invalid_argument"
        return report
    low = sorted({names[i] for i, p in enumerate(positions)
                  if args[p]._data.dtype != np.float64})
    if low:
        report.notes.append(Note("promotion", f"{', '.join(low)} promoted to float64 for the "
                                              "check (finite differences need the precision)"))
    with _float64(), chunk_heap():
        base = [np.array(args[p]._data, dtype=np.float64) for p in positions]
        leaves = [Tensor._make(b.copy(), None, 0, None).requires_grad_(True) for b in base]
        call_args = list(args)
        for p, leaf in zip(positions, leaves):
            call_args[p] = leaf
        tape = Tape()
        try:
            with enable_grad(), tape:
                outputs = as_outputs(fn(*call_args))
        except Exception as exc:
            if engine_bug(exc):
                raise
            return _error_report(exc, names, order, fast, eps, atol, rtol, started)
        onames = out_names or (["output"] if len(outputs) == 1
                               else [f"output{k}" for k in range(len(outputs))])
        ev = Evaluator(fn, args, positions, base, grad_inside=grad_inside, tape=tape,
                       leaves=leaves, outputs=outputs, budget=budget)
        try:
            if budget is not None:
                _refuse(budget, ev, fast, projections, names)
            if fast:
                failing = _fast(report, ev, leaves, outputs, names, onames, eps, atol, rtol,
                                projections, seed)
                for i in failing:
                    n = base[i].size
                    cols = None
                    if n > FAST_RECHECK_LIMIT:
                        cols = np.sort(np.random.default_rng(seed).choice(n, 2000, replace=False))
                        report.notes.append(Note("sampled", f"{names[i]} has {n:,} elements: "
                                                 "the full re-check looked at 2,000 of them"))
                    try:
                        full = _full_pairs(ev, leaves, outputs, names, onames, eps, atol, rtol,
                                           max_worst, diagnose, report, only=i, columns=cols)
                    except BudgetError as exc:
                        # The fast check already failed; only its explanation is skipped.
                        report.notes.append(Note("budget", f"the full re-check of {names[i]} "
                                                 f"was skipped: {exc}"))
                        continue
                    if cols is None or any(not p.ok for p in full):
                        report.pairs = [p for p in report.pairs if p.input != names[i]] + full
                    if all(p.ok for p in full):
                        report.notes.append(Note("fast", f"the fast check of {names[i]} failed "
                                                 "but no single entry fails in full"))
            else:
                progress.begin(sum(b.size for b in base))
                report.pairs = _full_pairs(ev, leaves, outputs, names, onames, eps, atol, rtol,
                                           max_worst, diagnose, report, jobs=jobs)
        except Exception as exc:
            if engine_bug(exc):
                raise  # adcli's own bug: never a finding about the checked function
            report.ok = False
            report.error = f"{type(exc).__name__}: {exc}" if not getattr(exc, "kind", None) \
                else str(exc)
            report.error_kind = getattr(exc, "kind", None) or "invalid_argument"
        for p in report.pairs:
            p.order = order
            for m in p.worst:
                m.order = order
        report.ok = report.error is None and all(p.ok for p in report.pairs)
        if diagnose and report.error is None:
            _sweeps(report, ev, leaves, outputs, names, onames, eps, atol, rtol, order)
        if keep_graph and (report.ok or not diagnose):
            try:
                report.graph, _ = culprit_graph(outputs, None, locate,
                                                dict(zip(names, leaves)))
            except Exception as exc:
                report.notes.append(Note("graph", f"graph snapshot failed: {exc}"))
        if not report.ok and diagnose and report.error_kind != "timeout":
            try:
                report.culprit = find_culprit(tape, outputs, eps=eps, atol=atol, rtol=rtol,
                                              locate=locate)
                if report.culprit is None and order == 2:
                    report.culprit = find_double_backward_culprit(
                        tape, eps=eps, atol=atol, rtol=rtol, locate=locate)
            except Exception as exc:
                report.notes.append(Note("culprit", f"culprit search failed: {exc}"))
            try:
                report.graph, report.culprit_id = culprit_graph(
                    outputs, report.culprit, locate, dict(zip(names, leaves)))
            except Exception as exc:
                report.notes.append(Note("graph", f"graph snapshot failed: {exc}"))
    report.strategy = "+".join(sorted(ev.strategy)) or "none"
    report.seconds = time.perf_counter() - started
    return report


def _sweeps(report: GradcheckReport, ev: Evaluator, leaves: list[Tensor],
            outputs: list[Tensor], names: list[str], onames: list[str], eps: float,
            atol: float, rtol: float, order: int) -> None:
    """Step sweeps of the worst failing entry and of an entry accepted as noise (the data
    behind the noise-vs-error verdict, for the report's pictures)."""
    offsets = np.cumsum([0] + [o._data.size for o in outputs])
    targets: list[tuple[int, int, int, Mismatch]] = []
    worst = report.mismatches[:1]
    for m in worst:
        if m.input in names and m.output in onames:
            i, k = names.index(m.input), onames.index(m.output)
            j = int(np.ravel_multi_index(m.index, leaves[i]._data.shape)) if m.index else 0
            r = int(offsets[k]) + (int(np.ravel_multi_index(m.output_index,
                                                            outputs[k]._data.shape))
                                   if m.output_index else 0)
            targets.append((i, j, r, m))
    if report.sweep_target is not None:
        i, j, r, a, n = report.sweep_target
        k = int(np.searchsorted(offsets, r, side="right")) - 1
        oshape = outputs[k]._data.shape
        m = Mismatch(names[i], tuple(int(x) for x in np.unravel_index(j, leaves[i]._data.shape)),
                     onames[k], tuple(int(x) for x in np.unravel_index(r - int(offsets[k]),
                                                                       oshape)), a, n)
        targets.append((i, j, r, m))
    for i, j, r, m in targets:
        try:
            sw = step_sweep(ev, i, j, r, name=m.input, output=m.output, index=m.index,
                            output_index=m.output_index, analytical=m.analytical,
                            check_eps=eps, atol=atol, rtol=rtol, numerical=m.numerical,
                            order=order)
        except Exception as exc:  # a budget stop: the pictures are extra, never a finding
            if engine_bug(exc):
                raise
            continue
        if sw is not None:
            report.sweeps.append(sw)


def _refuse(budget: Budget, ev: Evaluator, fast: bool, projections: int,
            names: list[str]) -> None:
    """Refuse a check whose estimated cost is over the budget, before running it."""
    F = ev.forward_cost
    what = f"the {'fast' if fast else 'full'} check of {', '.join(names)}"
    # A batched replay of the smallest batch (one +eps and one -eps evaluation) holds every
    # intermediate twice over.
    budget.refuse_memory(what, 2 * 8 * F, f"two evaluations of {F:,} float64 elements each",
                         "raise --max-memory")
    if fast:
        P = max(1, projections)
        budget.refuse_work(what, 3 * P * F, f"{P} projections, each two evaluations and a "
                           f"backward of about {F:,} elements", "raise --max-elements")


def _analytical_rows(leaves: list[Tensor], out: Tensor, rows: Sequence[int] | None = None,
                     grad_output: np.ndarray | None = None, budget: Budget | None = None,
                     cost: int = 0, into: dict[int, np.ndarray] | None = None
                     ) -> list[np.ndarray]:
    """``[d out/d leaf]`` rows (each ``(len(rows), leaf.size)``), one backward per row.

    With a ``budget``, each backward is charged ``cost`` elements. ``into`` (leaf position
    -> zeroed array of that shape) receives the rows of those leaves instead of new arrays
    (the others are not kept)."""
    size = out._data.size
    picked = list(range(size) if rows is None else rows)

    def seed_of(r: int) -> np.ndarray:
        g = np.zeros(size)
        g[r] = 1.0
        return g.reshape(out._data.shape)

    # One one-hot seed at a time: a list of them would be an m x m matrix.
    seeds = [grad_output] if grad_output is not None else (seed_of(r) for r in picked)
    count = 1 if grad_output is not None else len(picked)
    blocks = [into[i] if into is not None and i in into
              else np.zeros((count if into is None else 0, leaf._data.size))
              for i, leaf in enumerate(leaves)]
    if not out.requires_grad:
        return blocks
    for r, g in enumerate(seeds):
        if budget is not None:
            budget.charge(cost)
            if r % 64 == 0:
                budget.check_memory()
        gt = Tensor._make(g.astype(out._data.dtype, copy=False), None, 0, None)
        gs = autograd_grad([out], leaves, grad_outputs=[gt], retain_graph=True,
                           allow_unused=True)
        for i, gi in enumerate(gs):
            if gi is not None and blocks[i].shape[0]:
                blocks[i][r] = np.asarray(gi._data, dtype=np.float64).reshape(-1)
    return blocks


def _fast(report: GradcheckReport, ev: Evaluator, leaves: list[Tensor], outputs: list[Tensor],
          names: list[str], onames: list[str], eps: float, atol: float, rtol: float,
          projections: int, seed: int) -> list[int]:
    """Random projections ``u^T J v``; returns the inputs whose check failed."""
    offsets = np.cumsum([0] + [o._data.size for o in outputs])
    P = max(1, projections)
    rngs = [np.random.default_rng(seed + p) for p in range(P)]
    vs = [[_unit(rng, b.shape) for b in ev.base] for rng in rngs]
    us = [[_unit(rng, o._data.shape) for o in outputs] for rng in rngs]
    # All projections of one input in one batch.
    num = [directions(ev, i, [vs[p][i] for p in range(P)], eps) for i in range(len(leaves))]
    pairs: dict[tuple[int, int], PairResult] = {
        (i, k): PairResult(name, oname, True)
        for i, name in enumerate(names) for k, oname in enumerate(onames)}
    cache: dict[int, list[np.ndarray]] = {}
    for p in range(P):
        for k, out in enumerate(outputs):
            # A one-element output has u = [1] in every projection: one backward is enough.
            a_blocks = cache.get(k) if out._data.size == 1 else None
            if a_blocks is None:
                a_blocks = cache[k] = _analytical_rows(leaves, out, grad_output=us[p][k],
                                                       budget=ev.budget, cost=ev.forward_cost)
            u = us[p][k].reshape(-1)
            for i in range(len(leaves)):
                a = float(a_blocks[i][0] @ vs[p][i].reshape(-1))
                n = float(u @ num[i][p][offsets[k]:offsets[k + 1]])
                err = abs(a - n)
                tol = atol * float(u.sum()) * float(vs[p][i].sum()) + rtol * abs(n)
                pr = pairs[(i, k)]
                pr.n_checked += 1
                pr.max_abs_error = max(pr.max_abs_error, err)
                pr.max_rel_error = max(pr.max_rel_error, rel_error(a, n, atol))
                if not err <= tol:
                    pr.ok = False
                    pr.n_mismatches += 1
    report.pairs = list(pairs.values())
    return sorted({i for (i, _), pr in pairs.items() if not pr.ok})


def _unit(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    v = rng.random(shape)
    norm = float(np.sqrt(np.sum(v * v)))
    return v / norm if norm > 0 else v


def _full_pairs(ev: Evaluator, leaves: list[Tensor], outputs: list[Tensor], names: list[str],
                onames: list[str], eps: float, atol: float, rtol: float, max_worst: int,
                diagnose: bool, report: GradcheckReport, only: int | None = None,
                columns: np.ndarray | None = None, width: int | None = None,
                jobs: int = 1) -> list[PairResult]:
    """Every Jacobian entry (of ``columns``, else all) compared, input by input.

    With a budget, the Jacobian's memory and the backward passes' work are estimated (and
    refused when over) before anything is allocated. The analytical Jacobian is held whole
    (that is what the budget counts); the numerical one is compared in column blocks of at
    most ``width`` columns (:mod:`adcli.check.stream`) and never held whole. With ``jobs``
    > 1, the numerical columns come from that many processes (:mod:`adcli.check.split`).
    """
    offsets = np.cumsum([0] + [o._data.size for o in outputs])
    m = int(offsets[-1])
    which = [i for i in range(len(leaves)) if only is None or i == only]
    ncols = {i: (leaves[i]._data.size if columns is None else len(columns)) for i in which}
    budget = ev.budget
    if budget is not None:
        what = f"a full check of {', '.join(names[i] for i in which)}"
        n_total = sum(leaves[i]._data.size for i in which)
        budget.refuse_memory(what, 8 * m * n_total,
                             f"a {m:,} x {n_total:,} Jacobian in float64",
                             "use mode: fast or raise --max-memory")
        budget.refuse_work(what, m * ev.forward_cost + 2 * sum(ncols.values()) * ev.forward_cost
                           if not ev.tape else m * ev.forward_cost,
                           f"{m:,} backward passes at about {ev.forward_cost:,} elements each",
                           "use mode: fast or raise --max-elements")
    # Analytical: one backward per output element (a scalar output needs just one).
    A: dict[int, np.ndarray] = {i: np.zeros((m, leaves[i]._data.size)) for i in which}
    for k, out in enumerate(outputs):
        _analytical_rows(leaves, out, budget=budget, cost=ev.forward_cost,
                         into={i: A[i][offsets[k]:offsets[k + 1]] for i in which})
    pairs: list[PairResult] = []
    for i in which:
        cols = np.arange(leaves[i]._data.size) if columns is None else np.asarray(columns)
        accs = [PairAcc(int(offsets[k + 1] - offsets[k]), cols.size, max_worst)
                for k in range(len(outputs))]
        pics = [HeatmapBuilder(names[i], onames[k], leaves[i]._data.shape,
                               outputs[k]._data.shape) for k in range(len(outputs))]
        stable: dict[int, bool] = {}
        diagnosed = 0
        if split.worthwhile(jobs, cols.size):
            chunks = split.chunks(ev, i, eps, columns, jobs)
        else:
            chunks = jacobian_chunks(ev, i, eps, columns)
        with closing(chunks):  # workers stop when the check stops early
            for start, N in column_blocks(chunks, m, cols.size, width):
                c = N.shape[1]
                Ai = A[i][:, start:start + c] if columns is None \
                    else A[i][:, cols[start:start + c]]
                with np.errstate(all="ignore"):
                    err = np.abs(Ai - N)
                    tol = atol + rtol * np.abs(N)
                    bad = ~(err <= tol) & ~(np.isnan(Ai) & np.isnan(N))
                accepted = np.zeros_like(bad)
                if diagnose and diagnosed < MAX_DIAGNOSED and bad.any():
                    limit = MAX_DIAGNOSED - diagnosed
                    diagnosed += min(limit, int(bad.any(axis=0).sum()))
                    _diagnose(ev, i, names[i], Ai, N, bad, accepted, stable,
                              cols[start:start + c], eps, atol, rtol, report, limit)
                for k, acc in enumerate(accs):
                    sl = slice(offsets[k], offsets[k + 1])
                    acc.add(start, Ai[sl], N[sl], err[sl], tol[sl], bad[sl], accepted[sl], atol)
                    with np.errstate(all="ignore"):  # the picture of the block, downsampled
                        pics[k].add(cols[start:start + c], Ai[sl], N[sl],
                                    err[sl] / np.maximum(tol[sl], 1e-300),
                                    bad[sl] & ~accepted[sl])
        for k, acc in enumerate(accs):
            pr = acc.result(names[i], onames[k], cols, leaves[i]._data.shape,
                            outputs[k]._data.shape, atol, stable)
            if not pr.ok:
                pr.picture = pics[k].finish(pr.worst)
            pairs.append(pr)
    return pairs


def _diagnose(ev: Evaluator, i: int, name: str, A: np.ndarray, N: np.ndarray, bad: np.ndarray,
              accepted: np.ndarray, stable: dict[int, bool], cols: np.ndarray, eps: float,
              atol: float, rtol: float, report: GradcheckReport,
              limit: int = MAX_DIAGNOSED) -> None:
    """Re-examine failing columns: kinks and unstable estimates become notes, not failures."""
    shape = ev.base[i].shape
    bad_cols = np.flatnonzero(bad.any(axis=0))[:limit]
    for c in bad_cols:
        j = int(cols[c])
        rows = np.flatnonzero(bad[:, c])
        where = _fmt_index(name, tuple(int(x) for x in np.unravel_index(j, shape)))
        try:
            left, right = one_sided(ev, i, j, eps)
        except Exception:
            continue
        a = A[rows, c]
        lo, hi = np.minimum(left[rows], right[rows]), np.maximum(left[rows], right[rows])
        tol_lr = atol + rtol * np.maximum(np.abs(left[rows]), np.abs(right[rows]))
        kink = (np.abs(left[rows] - right[rows]) > tol_lr) & (a >= lo - tol_lr) & (a <= hi + tol_lr)
        if getattr(report, "strict", False):  # --strict: a kink fails, as in torch
            kink[:] = False
        if kink.all():
            accepted[rows, c] = True
            n = len(rows)
            report.notes.append(Note("kink", f"{n} entr{'y' if n == 1 else 'ies'} accepted as a "
                                             f"subgradient at {where} (a non-differentiable "
                                             "point; --strict fails it as torch does)"))
            continue
        # Noise or error: estimates with other steps (Richardson removes the h^2 term).
        try:
            d_half = central_at(ev, i, j, eps / 2)
            d_big = central_at(ev, i, j, eps * 10)
        except Exception:
            continue
        rich = (4 * d_half - N[:, c]) / 3
        rest = rows[~kink]
        tol_r = atol + rtol * np.abs(N[rest, c])
        is_stable = bool(np.all(np.abs(rich[rest] - N[rest, c]) <= tol_r)
                         and np.all(np.abs(d_big[rest] - N[rest, c]) <= tol_r))
        stable[j] = is_stable
        better_ok = (np.abs(A[rest, c] - rich[rest]) <= atol + rtol * np.abs(rich[rest])) | \
                    (np.abs(A[rest, c] - d_big[rest]) <= atol + rtol * np.abs(d_big[rest]))
        if not is_stable and better_ok.all():
            accepted[rows, c] = True
            if report.sweep_target is None:  # the entry whose step sweep shows the noise
                report.sweep_target = (i, j, int(rest[0]), float(A[rest[0], c]),
                                       float(N[rest[0], c]))
            report.notes.append(Note("noise", f"numerical estimate at {where} is unstable "
                                              f"(eps {eps:g}: {N[rest[0], c]:.6g}, Richardson: "
                                              f"{rich[rest[0]]:.6g}, eps {eps * 10:g}: "
                                              f"{d_big[rest[0]]:.6g}); analytical "
                                              f"{A[rest[0], c]:.6g} agrees with the better "
                                              "estimates"))
        elif kink.any():
            accepted[rows[kink], c] = True


def merge(first: GradcheckReport, second: GradcheckReport) -> GradcheckReport:
    """One report for an ``order: 2`` check: first- and second-order results together."""
    out = GradcheckReport(ok=first.ok and second.ok, mode=first.mode, order=2, eps=first.eps,
                          atol=first.atol, rtol=first.rtol, inputs=first.inputs,
                          pairs=first.pairs + second.pairs,
                          culprit=first.culprit or second.culprit,
                          notes=first.notes + [n for n in second.notes
                                               if n.kind != "promotion"],
                          error=first.error or second.error,
                          error_kind=first.error_kind or second.error_kind,
                          seconds=first.seconds + second.seconds,
                          strategy=first.strategy, graph=first.graph or second.graph,
                          culprit_id=first.culprit_id if first.graph is not None
                          else second.culprit_id,
                          sweeps=first.sweeps + second.sweeps)
    return out

