"""``adcli diff``: run each spec on both engines and report where they diverge.

Public API:

- ``diff_paths(paths, *, max_elements=None, max_memory=...) -> DiffRun``: every spec in the
  files and folders, run on adcli's engine and on PyTorch.
- ``diff_spec(spec, ...) -> SpecDiff``: one loaded spec.
- ``DiffRun`` (``ok``, ``exit_code``, ``to_dict()``), ``SpecDiff``, ``Divergence``.

What is compared, after the steps ran (a step that stops a run stops it on both):

- which step raised (or stopped the run) and with which error kind;
- each expectation, ``raises`` and ``assert``: held on one engine, failed on the other;
- every name bound at the end: presence, shape, dtype, ``requires_grad``, ``is_leaf``,
  ``grad_fn`` name, value and ``.grad`` (allclose: rtol 1e-5, atol 1e-8 in float64, rtol
  1e-4, atol 1e-6 in float32), and the structure of the ``grad_fn`` graph below it (node names
  and ``next_functions`` edges, None included, in walk order);
- every parameter of a module bound by name (``model[0].weight``), the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from adcli.exit_codes import EXIT_FAILED, EXIT_INTERNAL, EXIT_INVALID, EXIT_OK

MAX_GRAPH_NODES = 500


@dataclass
class Divergence:
    """One difference: ``what`` (error, expectation, binding, shape, dtype, requires_grad,
    is_leaf, grad_fn, value, grad, graph), where (tensor name / step) and both sides."""

    what: str
    message: str
    tensor: str | None = None
    step: int | None = None
    adcli: Any = None
    torch: Any = None

    def to_dict(self) -> dict[str, Any]:
        return {"what": self.what, "tensor": self.tensor, "step": self.step,
                "message": self.message, "adcli": _plain(self.adcli),
                "torch": _plain(self.torch)}


@dataclass
class SpecDiff:
    spec: str
    name: str
    divergences: list[Divergence] = field(default_factory=list)
    internal: str | None = None

    @property
    def ok(self) -> bool:
        return not self.divergences and self.internal is None

    def to_dict(self) -> dict[str, Any]:
        return {"spec": self.spec, "name": self.name, "ok": self.ok,
                "divergences": [d.to_dict() for d in self.divergences],
                "internal": self.internal}


@dataclass
class DiffRun:
    specs: list[SpecDiff] = field(default_factory=list)
    errors: list[Any] = field(default_factory=list)  # SpecError

    @property
    def ok(self) -> bool:
        return not self.errors and all(s.ok for s in self.specs)

    @property
    def exit_code(self) -> int:
        if any(s.internal for s in self.specs):
            return EXIT_INTERNAL
        if self.errors:
            return EXIT_INVALID
        return EXIT_OK if self.ok else EXIT_FAILED

    def to_dict(self) -> dict[str, Any]:
        from adcli import __version__

        return {"version": __version__, "ok": self.ok,
                "specs": [s.to_dict() for s in self.specs],
                "errors": [_error_dict(e) for e in self.errors]}


def _error_dict(e: Any) -> dict[str, Any]:
    return {"spec": getattr(e, "file", ""), "kind": getattr(e, "kind", "invalid_spec"),
            "message": getattr(e, "message", str(e)), "line": getattr(e, "line", 1),
            "column": getattr(e, "column", 1)}


def _plain(v: Any) -> Any:
    if isinstance(v, np.ndarray):
        return v.tolist() if v.size <= 100 else f"array of shape {list(v.shape)}"
    if isinstance(v, float | int | str | bool | list | dict) or v is None:
        return v
    return str(v)


def diff_paths(paths: Iterable[str], *, max_elements: int | None = None,
               max_memory: int | None = None) -> DiffRun:
    """Diff every spec in the files and folders (searched recursively for *.yaml/*.yml)."""
    from adcli.spec.errors import SpecError
    from adcli.spec.loader import expand_paths, load_specs

    out = DiffRun()
    for p in paths:
        files, errors = expand_paths([p])
        out.errors.extend(errors)
        for f in files:
            try:
                specs = load_specs(f)
            except SpecError as err:
                out.errors.append(err)
                continue
            for spec in specs:
                out.specs.append(diff_spec(spec, max_elements=max_elements,
                                           max_memory=max_memory))
    return out


def _run(spec: Any, engine: str, max_elements: int | None, max_memory: int | None) -> Any:
    from adcli.engines import forced
    from adcli.spec.interpreter import WORK_FACTOR, execute
    from adcli.spec.report import RunReport

    report = RunReport(spec=spec.path, name=spec.name)
    limit = max_elements or 10_000_000
    with forced(engine):
        run = execute(spec, max_elements=max_elements, report=report,
                      max_work=WORK_FACTOR * limit, max_memory=max_memory, track_nodes=True)
    return run, report


def diff_spec(spec: Any, *, max_elements: int | None = None,
              max_memory: int | None = None) -> SpecDiff:
    """Run one spec on both engines and list the divergences."""
    out = SpecDiff(spec.path, spec.name)
    try:
        a_run, a_rep = _run(spec, "adcli", max_elements, max_memory)
        t_run, t_rep = _run(spec, "torch", max_elements, max_memory)
        _compare_errors(out, a_rep, t_rep)
        _compare_expectations(out, a_rep, t_rep)
        _compare_tensors(out, a_run, t_run, spec.dtype == "float32")
    except Exception as exc:  # a bug in adcli: reported, exit 3
        out.internal = f"{type(exc).__name__}: {exc}"
    return out


def _compare_errors(out: SpecDiff, a: Any, t: Any) -> None:
    ae = None if a.error is None else (a.error.kind, a.error.step)
    te = None if t.error is None else (t.error.kind, t.error.step)
    if ae != te:
        def show(e: Any) -> str:
            return "no error" if e is None else f"{e.kind} at step {e.step}: {e.message}"

        out.divergences.append(Divergence(
            "error", f"adcli: {show(a.error)}; torch: {show(t.error)}",
            step=(a.error or t.error).step, adcli=None if ae is None else ae[0],
            torch=None if te is None else te[0]))


def _compare_expectations(out: SpecDiff, a: Any, t: Any) -> None:
    for ea, et in zip(a.expectations, t.expectations):
        if ea.ok != et.ok:
            out.divergences.append(Divergence(
                "expectation", f"{ea.expr}: adcli: {ea.message}; torch: {et.message}",
                step=ea.step, adcli=ea.ok, torch=et.ok))
    if len(a.expectations) != len(t.expectations):
        out.divergences.append(Divergence(
            "expectation", f"adcli checked {len(a.expectations)} expectations, torch "
            f"{len(t.expectations)}", adcli=len(a.expectations), torch=len(t.expectations)))


def _compare_tensors(out: SpecDiff, a_run: Any, t_run: Any, f32: bool) -> None:
    import torch

    from adcli.engine.tensor import Tensor

    rtol, atol = (1e-4, 1e-6) if f32 else (1e-5, 1e-8)
    a_ns, t_ns = a_run.namespace, t_run.namespace
    names = [n for n in a_ns if isinstance(a_ns[n], Tensor)]
    names += [n for n in t_ns if isinstance(t_ns[n], torch.Tensor) and n not in names]
    for name in names:
        a, t = a_ns.get(name), t_ns.get(name)
        if not isinstance(a, Tensor) or not isinstance(t, torch.Tensor):
            out.divergences.append(Divergence(
                "binding", f"{name} is {type(a).__name__} on adcli, {type(t).__name__} on "
                "torch", tensor=name, adcli=type(a).__name__, torch=type(t).__name__))
            continue
        _compare_tensor(out, name, a, t, rtol, atol)
    _compare_modules(out, a_run, t_run, rtol, atol)


def _params(value: Any) -> list[tuple[str, Any]] | None:
    """A module's ``named_parameters()`` as paths (``[0].weight``); None: not a module."""
    if isinstance(value, type) or not callable(getattr(value, "named_parameters", None)):
        return None
    try:
        items = list(value.named_parameters())
    except Exception:
        return None
    return [("".join(f"[{p}]" if p.isdigit() else f".{p}" for p in str(n).split(".")), v)
            for n, v in items]


def _compare_modules(out: SpecDiff, a_run: Any, t_run: Any, rtol: float, atol: float) -> None:
    """Modules bound by name (``torch.nn.Linear`` in a step): each parameter as a tensor."""
    import torch

    from adcli.spec.objects import is_package_object

    a_ns, t_ns = a_run.namespace, t_run.namespace
    for name in a_ns:
        a = a_ns[name]
        if not is_package_object(a, a_run.roots):
            continue
        t = t_ns.get(name)
        pa = _params(a)
        pt = _params(t) if isinstance(t, torch.nn.Module) else None
        if pa is None and pt is None:
            continue
        if pa is None or pt is None or [n for n, _ in pa] != [n for n, _ in pt]:
            x = None if pa is None else [n for n, _ in pa]
            y = None if pt is None else [n for n, _ in pt]
            out.divergences.append(Divergence(
                "parameters", f"{name}'s parameters: adcli {x}, torch {y}", tensor=name,
                adcli=x, torch=y))
            continue
        for (path, va), (_, vt) in zip(pa, pt):
            _compare_tensor(out, name + path, va, vt, rtol, atol)


def _node_name(n: Any) -> str | None:
    return None if n is None else str(n.name()).removeprefix("torch::autograd::")


def _compare_tensor(out: SpecDiff, name: str, a: Any, t: Any, rtol: float, atol: float) -> None:
    te = t_eng()
    checks = [("shape", list(a.shape), list(t.shape)),
              ("dtype", a.dtype.name, te.dtype_name(t.dtype)),
              ("requires_grad", bool(a.requires_grad), bool(t.requires_grad)),
              ("is_leaf", bool(a.is_leaf), bool(t.is_leaf)),
              ("grad_fn", _node_name(a.grad_fn), _node_name(t.grad_fn))]
    for what, x, y in checks:
        if x != y:
            out.divergences.append(Divergence(what, f"{name}.{what}: adcli {x}, torch {y}",
                                              tensor=name, adcli=x, torch=y))
            if what in ("shape", "dtype"):
                return
    msg = _close(a._data, te.numpy(t), rtol, atol)
    if msg:
        out.divergences.append(Divergence("value", f"{name}: {msg}", tensor=name))
    # .grad of a non-leaf that does not retain it: both None (torch would warn on the read)
    ag = a.grad if a.is_leaf or a.retains_grad else None
    tg = t.grad if t.is_leaf or t.retains_grad else None
    if (ag is None) != (tg is None):
        out.divergences.append(Divergence(
            "grad", f"{name}.grad: adcli {'None' if ag is None else 'a tensor'}, torch "
                    f"{'None' if tg is None else 'a tensor'}", tensor=name))
    elif ag is not None:
        msg = _close(ag._data, te.numpy(tg), rtol, atol)
        if msg:
            out.divergences.append(Divergence("grad", f"{name}.grad: {msg}", tensor=name))
    ga, gt = _structure(a), _structure(t)
    if ga != gt:
        first = next((k for k, (x, y) in enumerate(zip(ga, gt)) if x != y), min(len(ga),
                                                                                len(gt)))
        out.divergences.append(Divergence(
            "graph", f"the grad_fn graph of {name} differs at node n{first}: adcli "
                     f"{_show(ga, first)}, torch {_show(gt, first)}",
            tensor=name, adcli=[g[0] for g in ga], torch=[g[0] for g in gt]))


def _show(g: list[tuple[str, tuple[Any, ...]]], k: int) -> str:
    if k >= len(g):
        return "(no node)"
    name, nxt = g[k]
    return f"{name} -> {list(nxt)}"


def _structure(t: Any) -> list[tuple[str, tuple[Any, ...]]]:
    """Node names and edges of the graph below ``t`` (the views' walk and ids)."""
    from adcli.graph.snapshot import snapshot_from_tensor

    if t.grad_fn is None:
        return []
    snap = snapshot_from_tensor(t, max_nodes=MAX_GRAPH_NODES)
    return [(n.name, tuple(n.next)) for n in snap.nodes.values()]


def _close(x: np.ndarray, y: np.ndarray, rtol: float, atol: float) -> str | None:
    if x.shape != y.shape:
        return f"shapes {list(x.shape)} and {list(y.shape)}"
    if x.dtype.kind not in "biuf" or y.dtype.kind not in "biuf":
        return None
    xf, yf = x.astype(np.float64), y.astype(np.float64)
    with np.errstate(all="ignore"):
        close = np.isclose(xf, yf, rtol=rtol, atol=atol, equal_nan=True)
    if close.all():
        return None
    k = int(np.flatnonzero(~close.reshape(-1))[0])
    idx = list(np.unravel_index(k, x.shape)) if x.ndim else []
    diff = np.abs(xf - yf)
    worst = float(np.nanmax(diff)) if np.isfinite(diff).any() else float("nan")
    return (f"values differ (largest difference {worst:.6g}; first at {idx}: adcli "
            f"{xf.reshape(-1)[k]:.8g}, torch {yf.reshape(-1)[k]:.8g})")


def t_eng() -> Any:
    from adcli.engines.torch_engine import engine

    return engine()
