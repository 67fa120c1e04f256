"""Gradient checks of spec files (the ``gradcheck:`` entries, or the default) and of one
expression (``adcli gradcheck --expr``). Returns plain results; never prints.

The checked function of an entry maps its ``wrt`` leaves to the value of ``of``, computed
by replaying the spec's steps from those values (``adcli.spec.interpreter.execute`` with
``replay=True`` and ``dtype="float64"``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from adcli.exit_codes import EXIT_FAILED, EXIT_INTERNAL, EXIT_INVALID, EXIT_OK

from .report import GradcheckReport


@dataclass
class CheckError:
    """A statement of the spec failed while the check ran it (exit code 1)."""

    kind: str
    message: str
    step: int | None = None
    line: int | None = None
    column: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "message": self.message, "step": self.step,
                "line": self.line, "column": self.column}


@dataclass
class SpecCheck:
    """One gradient check of one spec: an entry of ``gradcheck`` (or a default one)."""

    spec: str
    name: str
    of: str
    wrt: list[str]
    line: int | None = None
    order: int = 1
    mode: str = "full"
    report: GradcheckReport | None = None
    error: CheckError | None = None
    internal: str | None = None
    invalid: Any = None  # a SpecError: the entry itself is invalid (exit 2)

    @property
    def ok(self) -> bool:
        return self.error is None and self.internal is None and self.invalid is None \
            and self.report is not None \
            and self.report.ok

    @property
    def label(self) -> str:
        if not self.wrt:  # the check stopped before it found its leaves
            return f"{self.name}: d({self.of})"
        return f"{self.name}: d({self.of})/d({', '.join(self.wrt)})"

    def to_dict(self) -> dict[str, Any]:
        """The contract's JSON object for a check (plus a few extra fields)."""
        r = self.report
        return {
            "spec": self.spec, "name": self.name, "of": self.of, "wrt": list(self.wrt),
            "ok": self.ok,
            "max_abs_error": _num(r.max_abs_error) if r is not None else None,
            "max_rel_error": _num(r.max_rel_error) if r is not None else None,
            "culprit": (None if r is None or r.culprit is None else r.culprit.to_dict()),
            "mismatches": [] if r is None else [
                {"input": m.input, "index": list(m.index), "output_index": list(m.output_index),
                 "analytical": _num(m.analytical), "numerical": _num(m.numerical),
                 "abs_error": _num(m.abs_error), "order": m.order}
                for m in r.mismatches],
            "mode": self.mode, "order": self.order, "line": self.line,
            "notes": [] if r is None else [n.to_dict() for n in r.notes],
            "error": (self.error.to_dict() if self.error else
                      {"kind": "internal", "message": self.internal, "step": None,
                       "line": None, "column": None} if self.internal else
                      None if r is None or r.error is None else
                      {"kind": r.error_kind or "invalid_argument", "message": r.error,
                       "step": None, "line": self.line, "column": None}),
            "seconds": round(r.seconds, 6) if r is not None else 0.0,
        }


@dataclass
class GradcheckRun:
    """Everything ``adcli gradcheck`` found: the checks and the invalid specs."""

    checks: list[SpecCheck] = field(default_factory=list)
    errors: list[Any] = field(default_factory=list)  # SpecError (file, line, column, message)
    specs_seen: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and all(c.ok for c in self.checks)

    @property
    def exit_code(self) -> int:
        if any(c.internal for c in self.checks):
            return EXIT_INTERNAL
        if self.errors or any(c.invalid is not None for c in self.checks):
            return EXIT_INVALID
        return EXIT_OK if self.ok else EXIT_FAILED

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "checks": [c.to_dict() for c in self.checks],
                "errors": [_error_dict(e) for e in self.errors]}


def _error_dict(e: Any) -> dict[str, Any]:
    if hasattr(e, "to_dict"):
        return dict(e.to_dict())
    return {"spec": getattr(e, "file", ""), "kind": getattr(e, "kind", "invalid_spec"),
            "message": getattr(e, "message", str(e)), "line": getattr(e, "line", 1),
            "column": getattr(e, "column", 1)}


def _num(x: float) -> float | None:
    x = float(x)
    return x if np.isfinite(x) else None


@dataclass
class Options:
    """Command-line overrides of the entries' settings (None: the entry's own)."""

    eps: float | None = None
    atol: float | None = None
    rtol: float | None = None
    mode: str | None = None
    order: int | None = None
    max_elements: int | None = None
    raise_internal: bool = False
    detached: str | None = None  # "hold" or "follow" (None: the entry's, default hold)
    strict: bool = False  # kinks fail as in torch
    max_memory: int | None = None  # bytes one check may add (--max-memory)
    keep_graph: bool = False  # keep each check's graph snapshot, also when it passes (--html)
    jobs: int = 1  # processes a full check's Jacobian columns are split across


def _budget(opts: Options) -> Any:
    """The budget of one check: ``50 x max_elements`` elements of work and ``max_memory``
    (None when neither is set, as in the Python API)."""
    from adcli.engine import limits

    from .budget import Budget

    if opts.max_elements is None and opts.max_memory is None:
        return None
    budget = Budget.for_elements(opts.max_elements or limits.get_max_elements(),
                                 opts.max_memory)
    budget.start()
    return budget


# -- spec files --------------------------------------------------------------------------------
def check_paths(paths: Iterable[str], options: Options | None = None,
                progress: Callable[[str], None] | None = None) -> GradcheckRun:
    """Check every spec in the files and folders (searched recursively for *.yaml/*.yml)."""
    from adcli.spec.errors import SpecError
    from adcli.spec.loader import expand_paths, load_specs

    opts = options or Options()
    run = GradcheckRun()
    for p in paths:  # path by path, so errors keep the order of the command line
        files, errors = expand_paths([p])
        run.errors.extend(errors)
        for f in files:
            try:
                specs = load_specs(f)
            except SpecError as err:
                run.errors.append(err)
                continue
            for spec in specs:
                run.specs_seen += 1
                try:
                    engine = _engine_name(spec)
                except SpecError as err:
                    run.errors.append(err)
                    continue
                if engine == "torch":
                    from adcli.engines.torch_specs import check_spec_torch

                    checks = check_spec_torch(spec, opts, progress=progress)
                else:
                    checks = check_spec(spec, opts, progress=progress)
                for c in checks:
                    # an invalid entry is an invalid spec, reported with file:line:col
                    (run.errors if c.invalid is not None else run.checks).append(
                        c.invalid if c.invalid is not None else c)
    return run


def _engine_name(spec: Any) -> str:
    """The engine a spec is checked on (SpecError: unknown, or torch not installed)."""
    from adcli.engines import EngineError, require_torch, select
    from adcli.spec.errors import SpecError

    try:
        name = select(getattr(spec, "engine", None))
        if name == "torch":
            require_torch()
    except EngineError as err:
        raise SpecError(spec.path, spec.line, spec.column, str(err)) from None
    return name


def default_entries(spec: Any) -> list[Any]:
    """A spec's ``gradcheck`` entries, or one per tensor its steps call backward on."""
    entries = list(spec.gradcheck)
    if not entries:
        from adcli.spec.loader import GradcheckEntry

        seen: set[str] = set()
        for expr in spec.backward_exprs():
            if expr.text in seen:
                continue
            seen.add(expr.text)
            entries.append(GradcheckEntry(of=expr, wrt=None, line=expr.line,
                                          column=expr.column))
    return entries


def check_spec(spec: Any, options: Options | None = None,
               progress: Callable[[str], None] | None = None,
               engine: EntryEngine | None = None) -> list[SpecCheck]:
    """The checks of one loaded spec: its ``gradcheck`` entries, or the default ones."""
    opts = options or Options()
    eng = engine or EntryEngine()
    out = []
    for entry in default_entries(spec):
        if progress is not None:
            progress(f"{spec.name}: {entry.of.text}")
        out.append(run_entry(spec, entry, opts, eng))
    return out


class EntryEngine:
    """What checking one entry asks of an engine; this base is adcli's own engine, and
    :mod:`adcli.engines.torch_specs` overrides it for torch. The entry runner
    (:func:`run_entry`) is shared, so both engines find, refuse and check the same leaves."""

    def holder(self) -> Any:
        from .stopgrad import Holder

        return Holder()

    def replaying(self, holder: Any) -> Any:
        """The context each replay of the steps runs in (stop-gradients go to ``holder``)."""
        from .stopgrad import installed

        return installed(holder)

    def not_a_float_leaf(self, v: Any) -> str | None:
        """Why ``v`` cannot be a ``wrt`` input (None: it can)."""
        from adcli.engine.tensor import Tensor

        if not isinstance(v, Tensor):
            return "not a tensor"
        if not v.is_leaf:
            return "not a leaf (it is computed by the steps)"
        if v._data.dtype.kind != "f":
            return f"of dtype {v._data.dtype}, not floating-point"
        return None

    def module_parameters(self, run: Any, seen: set[int]) -> list[str]:
        return module_parameters(run, seen)

    def inputs(self, values: list[Any]) -> tuple[Any, ...]:
        """Fresh float64 leaves that require grad, holding the values of the ``wrt`` leaves."""
        from adcli.engine.tensor import Tensor

        return tuple(Tensor._make(np.array(v._data, dtype=np.float64), None, 0, None)
                     .requires_grad_(True) for v in values)

    def replay_options(self, budget: Any) -> dict[str, Any]:
        """Extra keywords of each replay: it stops itself when it alone would break the
        check's budget, and records the nodes while the checker traces."""
        from . import trace

        out: dict[str, Any] = {"track_nodes": trace._ACTIVE}
        if budget is not None:
            out.update(max_work=budget.max_work, max_memory=budget.max_memory,
                       memory_base=budget.memory_base)
        return out

    def evaluate(self, run: Any, entry: Any) -> Any:
        return run.eval_expr(entry.of)

    def keeps_run(self) -> bool:
        """Whether this call's replay is the recorded one (its run names the culprit)."""
        from . import trace

        return bool(trace._ACTIVE)

    def check_options(self, opts: Options, budget: Any, locate: Any) -> dict[str, Any]:
        return {"locate": locate, "strict": opts.strict, "budget": budget,
                "detached": "follow",  # the replay holds them itself (the spec's places)
                "keep_graph": opts.keep_graph, "jobs": opts.jobs}

    def checkers(self) -> tuple[Callable[..., Any], Callable[..., Any]]:
        from .gradcheck import gradcheck, gradgradcheck

        return gradcheck, gradgradcheck

    def finish(self, report: Any, spec: Any, entry: Any) -> None:
        if report.culprit is not None and report.culprit.statement is None:
            report.culprit.statement = spec.statement_at(report.culprit.line)


def run_entry(spec: Any, entry: Any, opts: Options, eng: EntryEngine) -> SpecCheck:
    """Check one ``gradcheck`` entry of a spec on an engine."""
    from adcli.spec.errors import SpecError
    from adcli.spec.interpreter import StepError, execute

    from .report import Note

    mode = opts.mode or entry.mode
    order = opts.order or entry.order
    check = SpecCheck(spec.path, spec.name, entry.of.text, list(entry.wrt or []),
                      line=entry.line, order=order, mode=mode)
    budget = _budget(opts)
    try:
        detached = opts.detached or getattr(entry, "detached", "hold")
        holder = eng.holder() if detached == "hold" else None
        seen = holder or eng.holder()  # in follow mode: only lists the stop-gradients
        # A first replay with the spec's own values: finds the leaves and any failing step,
        # and records the values the spec's stop-gradients produced.
        with eng.replaying(seen):
            first = execute(spec, replay=True, dtype="float64", max_elements=opts.max_elements,
                            stop_hook=seen, **eng.replay_options(budget))
        if holder is not None:
            holder.recording = False
        ns = first.namespace
        if entry.wrt is None:
            check.wrt = [k for k, v in ns.items()
                         if eng.not_a_float_leaf(v) is None and v.requires_grad]
            check.wrt += eng.module_parameters(first, {id(ns[k]) for k in check.wrt})
        found: dict[str, Any] = {}
        for name in check.wrt:
            v = ns.get(name) if name.isidentifier() else _by_path(first, name)
            found[name] = v
            what = eng.not_a_float_leaf(v)
            if what is not None:
                j = (entry.wrt or []).index(name) if name in (entry.wrt or []) else -1
                pos = getattr(entry, "wrt_pos", None) or []
                wl, wc = pos[j] if 0 <= j < len(pos) else (entry.line, entry.column)
                check.invalid = SpecError(spec.path, wl, wc,
                                          f"wrt: '{name}' is {what}; a gradient check "
                                          "needs floating-point leaf tensors")
                check.error = CheckError("invalid_spec", check.invalid.message, None, wl, wc)
                return check
        if not check.wrt:
            check.error = CheckError("invalid_argument", "nothing to check: no leaf "
                                     "requires grad", None, entry.line, entry.column)
            return check
        traced: list[Any] = []

        def fn(*xs: Any) -> Any:
            with eng.replaying(holder):
                run = execute(spec, replay=True, dtype="float64",
                              max_elements=opts.max_elements, overrides=dict(zip(check.wrt, xs)),
                              stop_hook=holder, **eng.replay_options(budget))
                value = eng.evaluate(run, entry)
            if eng.keeps_run():  # the recorded call: keep its run for the culprit's location
                traced.append(run)
            return value

        inputs = eng.inputs([found[name] for name in check.wrt])
        from .gradcheck import merge

        kw = {"eps": opts.eps if opts.eps is not None else entry.eps,
              "atol": opts.atol if opts.atol is not None else entry.atol,
              "rtol": opts.rtol if opts.rtol is not None else entry.rtol,
              "fast_mode": mode == "fast", "names": check.wrt, "needs_grad": True,
              **eng.check_options(opts, budget, _locator(traced, entry))}
        first_order, second_order = eng.checkers()
        report = first_order(fn, inputs, **kw)
        if order >= 2:
            traced.clear()
            report = merge(report, second_order(fn, inputs, **kw))
        if spec.dtype == "float32":
            report.notes.insert(0, Note("promotion", "the spec's dtype is float32; the check "
                                                     "runs in float64"))
        if holder is None and not report.ok and report.culprit is None and seen.held:
            report.culprit = _graph_cut(seen.held[0])
        eng.finish(report, spec, entry)
        if holder is not None and holder.held:
            report.notes.append(Note("held", "held constant: " + "; ".join(holder.places())))
        check.report = report
    except StepError as f:
        check.error = CheckError(f.kind if f.kind != "assertion" else "invalid_argument",
                                 f.message, f.step, f.line, f.column)
    except SpecError as err:
        check.error = CheckError(err.kind, err.message, None, err.line, err.column)
    except Exception as exc:
        if opts.raise_internal:
            raise
        check.internal = f"{type(exc).__name__}: {exc}"
    return check


def _graph_cut(h: Any) -> Any:
    """The culprit of a failure in follow mode: the statement whose stop-gradient cut a path
    from the input to the output that finite differences see and the graph does not."""
    from .report import Culprit

    return Culprit(None, h.step, h.line, detail=(
        f"the output depends on the input through a path the graph does not record: "
        f"{h.kind} in `{h.statement}` cut it (the default, detached: hold, checks the "
        "function with that value held constant)"), kind="graph_cut", statement=h.statement)


def _by_path(run: Any, path: str) -> Any:
    """The value of a ``wrt`` path (``model.weight``, ``model[0].bias``); None if it fails."""
    from adcli.spec.errors import SpecError
    from adcli.spec.interpreter import StepError

    try:
        return run.evaluate(path)
    except (StepError, SpecError):
        return None


def module_parameters(run: Any, seen: set[int]) -> list[str]:
    """Paths of the parameters that require grad of the modules a run bound by name
    (``model.weight``, ``model[0].bias``), each tensor once."""
    from adcli.engine.tensor import Tensor
    from adcli.spec.objects import is_package_object

    out: list[str] = []
    for name, value in run.namespace.items():
        if not is_package_object(value, run.roots) or not hasattr(value, "named_parameters"):
            continue
        try:
            params = list(value.named_parameters())
        except Exception:  # not a module after all
            continue
        for pname, p in params:
            if not isinstance(p, Tensor) or id(p) in seen or not p.requires_grad \
                    or p._data.dtype.kind != "f":
                continue
            seen.add(id(p))
            out.append(name + "".join(f"[{part}]" if part.isdigit() else f".{part}"
                                      for part in str(pname).split(".")))
    return out


def _locator(traced: list[Any], entry: Any) -> Callable[[Any], Any]:
    """Maps a node of the recorded replay to (tensor name, step, line)."""

    def locate(node: Any) -> tuple[Any, ...] | None:
        if not traced:
            return None
        run = traced[-1]
        owners = _owners(run)
        o = owners.get(id(node))
        if o is None:  # made by the `of` expression itself
            return (None, None, entry.line)
        return (o.name, o.step, o.line, getattr(o, "context", None))

    return locate


def _owners(run: Any) -> dict[int, Any]:
    """Every node's origin: its own (a named tensor's grad_fn), else the statement that made
    it, with the name of the tensor that statement bound when there is one."""
    named = {k: o for k, o in run.origins.items() if o.node is not None and id(o.node) == k}
    made = {k: o for k, o in (run.made_at or {}).items() if o.node is not None and id(o.node) == k}
    owners: dict[int, Any] = dict(named)
    for origin in sorted(named.values(), key=lambda o: (-1 if o.step is None else o.step, o.line)):
        stack = [n for n, _ in origin.node.next_functions if n is not None]
        while stack:
            n = stack.pop()
            if id(n) in owners or type(n).__name__ == "AccumulateGrad":
                continue
            at = made.get(id(n))
            # Below a named tensor, but made by another statement: that statement's place.
            owners[id(n)] = origin if at is None or _place(at) == _place(origin) else at
            stack.extend(m for m, _ in n.next_functions if m is not None)
    for k, at in made.items():
        owners.setdefault(k, at)
    return owners


def _place(o: Any) -> tuple[Any, ...]:
    return (o.step, o.line, getattr(o, "context", None))


# -- one expression ----------------------------------------------------------------------------
def check_expression(expr: str, inputs: list[tuple[str, str]], options: Options | None = None,
                     seed: int = 0) -> GradcheckRun:
    """``adcli gradcheck --expr EXPR --input NAME=INIT``: inputs require grad."""
    from adcli.engine import limits

    opts = options or Options()
    run = GradcheckRun()
    names = [n for n, _ in inputs]
    check = SpecCheck("<expr>", "expr", expr, names, line=1, order=opts.order or 1,
                      mode=opts.mode or "full")
    prev_max = limits.get_max_elements()
    try:
        if opts.max_elements is not None:
            limits.set_max_elements(opts.max_elements)
        return _check_expression(run, check, expr, inputs, opts, seed)
    finally:
        limits.set_max_elements(prev_max)


def _check_expression(run: GradcheckRun, check: SpecCheck, expr: str,
                      inputs: list[tuple[str, str]], opts: Options, seed: int) -> GradcheckRun:
    from adcli.engine import creation
    from adcli.engine.tensor import Tensor
    from adcli.spec.errors import SpecError

    names = check.wrt
    try:
        # Names first: a bad or repeated name would otherwise surface as an unknown name.
        seen: set[str] = set()
        for name in names:
            if not name.isidentifier():
                raise SpecError(f"--input {name}", 1, 1, f"'{name}' is not a valid name")
            if name in seen:
                raise SpecError(f"--input {name}", 1, 1, f"'{name}' is given more than once")
            seen.add(name)
        if not names:
            raise SpecError("<expr>", 1, 1, "--expr needs at least one --input NAME=INIT")
        evaluate = _expression_fn(expr, names)
        creation.manual_seed(seed)
        values = [_make_input(name, init) for name, init in inputs]
    except SpecError as err:
        run.errors.append(err)
        return run
    from adcli.spec.interpreter import StepError

    try:
        from .gradcheck import gradcheck, gradgradcheck, merge

        inputs_t = tuple(
            Tensor._make(np.array(v, dtype=np.float64), None, 0, None).requires_grad_(True)
            for v in values)
        kw = {"eps": opts.eps if opts.eps is not None else 1e-6,
              "atol": opts.atol if opts.atol is not None else 1e-5,
              "rtol": opts.rtol if opts.rtol is not None else 1e-3,
              "fast_mode": check.mode == "fast", "names": names, "budget": _budget(opts),
              "detached": opts.detached or "hold"}
        report = gradcheck(evaluate, inputs_t, **kw)
        if check.order >= 2:
            report = merge(report, gradgradcheck(evaluate, inputs_t, **kw))
        check.report = report
    except StepError as f:
        check.error = CheckError(f.kind, f.message, None, 1, f.column)
    except Exception as exc:
        if opts.raise_internal:
            raise
        check.internal = f"{type(exc).__name__}: {exc}"
    run.checks.append(check)
    return run


def _expression_fn(expr: str, names: list[str]) -> Callable[..., Any]:
    """A function of the named tensors that evaluates ``expr`` with the spec language."""
    from adcli.spec.interpreter import Run
    from adcli.spec.language import SourceMap, default_vocabulary, parse_expression
    from adcli.spec.loader import Expr, Spec

    vocab = default_vocabulary()
    node = parse_expression(expr, SourceMap("<expr>", text=expr), vocab, set(names))
    parsed = Expr(expr, node, 1, 1)
    spec = Spec(path="<expr>", name="expr", line=1, column=1)

    def evaluate(*xs: Any) -> Any:
        run = Run(spec, vocab, replay=True)
        run.namespace.update(zip(names, xs))
        return run.eval_expr(parsed)
    return evaluate


def _make_input(name: str, init: str) -> Any:
    """``[1.0, 2.0]`` / ``3.5`` (literal data) or ``randn(3, 4)`` (an expression)."""
    import yaml

    from adcli.engine.tensor import Tensor
    from adcli.spec.errors import SpecError

    where = f"--input {name}"
    if not name.isidentifier():
        raise SpecError(where, 1, 1, f"'{name}' is not a valid name")
    try:
        literal = yaml.safe_load(init)
    except yaml.YAMLError:
        literal = None
    if isinstance(literal, int | float | list) and not isinstance(literal, bool):
        try:
            arr = np.array(literal, dtype=np.float64)
        except (TypeError, ValueError):
            raise SpecError(where, 1, 1, f"'{init}' is not a number or a nested list of "
                                         "numbers of equal lengths") from None
        return arr
    from adcli.spec.interpreter import StepError

    try:
        fn = _expression_fn(init, [])
    except SpecError as err:
        raise SpecError(where, 1, err.column, err.message) from None
    try:
        value = fn()
    except StepError as f:
        raise SpecError(where, 1, f.column or 1, f"{f.kind}: {f.message}") from None
    if not isinstance(value, Tensor) or value._data.dtype.kind not in "fiu":
        raise SpecError(where, 1, 1, f"'{init}' does not make a tensor")
    return np.array(value._data, dtype=np.float64)

