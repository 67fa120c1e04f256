"""Running specs: a tree-walking interpreter over checked ``ast`` nodes, against the engine.

Public API:

- ``run_spec(spec, *, max_elements=None, raise_internal=False) -> RunReport``: run every
  step; never raises for anything a spec can do (an internal error sets
  ``report.internal``, exit code 3, unless ``raise_internal``).
- ``execute(spec, *, max_elements=None, overrides=None, replay=False, dtype=None) -> Run``:
  the lower-level run; the returned :class:`Run` keeps the namespace, so
  ``Run.evaluate(text)`` evaluates an expression (``"w.grad"``) in the finished run, and
  ``Run.origins`` maps ``id(grad_fn node)`` to the :class:`Origin` (name, step, line, and
  the loop iteration or call it was made in) of the tensor bound by name that the node
  produced (``Run.leaf_origins``: ``id(leaf tensor)``).
- ``replay(spec, overrides, of, *, dtype=None, max_elements=None) -> Tensor``: run the steps
  again with the named leaves replaced by ``overrides`` (in ``tensors``, or where a step binds
  a new leaf to that name), skipping statements that call backward, print, assert or read
  ``.grad`` (backward is skipped, so ``.grad`` holds nothing to read; inside a ``with``
  block, a loop or a function statement by statement) and the steps expect/print/graph/raises,
  then evaluate ``of``. For gradcheck.
- ``StepError``: raised by ``execute``/``replay`` when a statement fails (``kind``,
  ``message``, ``step``, ``line``, ``column``, ``context``: the iteration/call, or None).

The run is split by subject: :mod:`.expressions` (values, operators, calls, builtins),
:mod:`.statements` (assignments, loops, branches, scopes), :mod:`.functions` (lambda, def),
:mod:`.budget` (work, memory, ticks, call depth) and :mod:`.expectations`.

While a spec runs, the default dtype is the spec's (float64 unless set), the random generator
is seeded with the spec's seed before ``tensors``, and the engine's element limit is
``max_elements``; all three and grad mode are restored afterwards.
"""

from __future__ import annotations

import ast
import re
import sys
import warnings
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from . import registries
from .budget import (
    MAX_INT_BITS,
    MAX_MEMORY_BYTES,
    MAX_SEQUENCE,
    WORK_FACTOR,
    BudgetMixin,
    RefusedError,
    rss_bytes,
)
from .classes import ClassesMixin
from .errors import SpecError
from .expectations import (
    MAX_GRAPH_NODES,
    build_graph,
    compare_expectation,
    short_repr,
    tensor_infos,
)
from .expressions import NONLEAF_GRAD_WARNING, ExpressionsMixin
from .extras import SPEC_RAISED, ExtrasMixin
from .functions import FunctionsMixin, SpecFunction
from .language import SourceMap, Vocabulary, default_vocabulary, parse_expression, replay_skips
from .loader import Expr, Spec, Statement, Step, TensorDecl
from .objects import object_roots
from .report import ErrorInfo, Expectation, RunReport, StepResult
from .statements import Flow, Scope, StatementsMixin
from .values import ValuesMixin

__all__ = [
    "MAX_GRAPH_NODES", "MAX_INT_BITS", "MAX_MEMORY_BYTES", "MAX_SEQUENCE", "NONLEAF_GRAD_WARNING",
    "WORK_FACTOR", "Origin", "Run", "SpecFunction", "StepError", "compare_expectation",
    "execute", "replay", "run_spec",
]

_RefusedError = RefusedError  # the name older code used
_rss_bytes = rss_bytes
_short_repr = short_repr
_tensor_infos = tensor_infos
RECURSION_LIMIT = 8_000
"""Python's recursion limit while a spec runs: the interpreter recurses over the ``ast``, and
100 nested spec calls of deep expressions need more than Python's default 1,000 frames. Past
it, the run stops with a "nested too deeply" error, not a crash."""


class StepError(Exception):
    """A statement failed: ``kind`` is a contract error kind (or ``assertion``).

    ``context`` says where inside a loop or function (``iteration 7 of `for i in range(10)```),
    None for a statement at the top of a step.
    """

    def __init__(self, kind: str, message: str, step: int | None, line: int, column: int,
                 context: str | None = None, places: dict[str, Any] | None = None,
                 node: Any = None) -> None:
        super().__init__(message)
        # An in-place error's ``saved_by`` / ``modified_at`` (see adcli.spec.inplace), and
        # the node whose backward failed (the graph view marks it).
        self.places = places or {}
        self.node = node
        self.kind = kind
        self.message = message
        self.step = step
        self.line = line
        self.column = column
        self.context = context
        self.original: BaseException | None = None


class Origin:
    """Where a tensor bound by name was created: its name, its step (None: the tensors
    section), line and ``context`` (the loop iteration or call, None at the top of a step).
    ``name`` is None for the record of a node no name was bound to.

    ``node`` is the grad_fn node (or leaf tensor) itself while it lives, None once freed: the
    record holds it weakly, so rebinding a name frees the old tensor and its saved graph as
    in PyTorch, and a reused ``id()`` is told apart from the original by ``node``.
    """

    __slots__ = ("_ref", "context", "line", "name", "step")

    def __init__(self, name: str | None, step: int | None, line: int,
                 node: Any = None, context: str | None = None) -> None:
        self.name, self.step, self.line, self.context = name, step, line, context
        self._ref: Callable[[], Any] | None = None
        if node is not None:
            try:
                self._ref = weakref.ref(node)
            except TypeError:  # not weakly referenceable: keep it
                self._ref = lambda node=node: node

    @property
    def node(self) -> Any:
        return None if self._ref is None else self._ref()

    @property
    def freed(self) -> bool:
        """True once the node it names is gone (its ``id()`` may now be another object's)."""
        return self._ref is not None and self._ref() is None

    def __repr__(self) -> str:
        ctx = f", context={self.context!r}" if self.context else ""
        return f"Origin(name={self.name!r}, step={self.step}, line={self.line}{ctx})"


# -- the engine, imported lazily ---------------------------------------------------------------
class _Engine:
    def __init__(self) -> None:
        from adcli.engine import creation, dtypes, grad_mode, limits
        from adcli.engine.errors import AdcliError
        from adcli.engine.node import Node
        from adcli.engine.tensor import Size, Tensor
        from adcli.engine.usercode import engine_bug

        self.Tensor, self.Size, self.Node, self.AdcliError = Tensor, Size, Node, AdcliError
        self.engine_bug = engine_bug
        self.creation, self.dtypes, self.grad_mode, self.limits = (creation, dtypes, grad_mode,
                                                                  limits)
        self.dtype_cls = dtypes.dtype

    name = "adcli"
    # engine classes held like package objects beyond ``object_roots`` (see the torch engine)
    object_types: dict[type, type] = {}

    def tables(self, vocab: Vocabulary) -> dict[str, Any]:
        """The callable names of a spec: the vocabulary's own tables."""
        return {"torch": vocab.torch, "functional": vocab.functional,
                "autograd": vocab.autograd}

    @staticmethod
    def numpy(t: Any) -> Any:
        return t._data

    @staticmethod
    def numel(t: Any) -> int:
        return int(t._data.size)

    @staticmethod
    def dtype_name(d: Any) -> str:
        return str(d.name)

    @staticmethod
    def error_kind(exc: BaseException) -> str | None:
        return None

    @contextmanager
    def scope(self) -> Iterator[None]:
        yield

    @staticmethod
    def object_roots(vocab: Vocabulary) -> tuple[str, ...]:
        """Module roots of the objects a spec's package names make (``adcli.nn``, ...)."""
        return object_roots(vocab)

    @staticmethod
    def package(qual: str, obj: Any) -> Any:
        """The object a whitelisted package name (``torch.nn.Linear``) means here: adcli's."""
        return obj


_ENGINE: list[_Engine] = []


def _engine(spec: Spec | None = None) -> Any:
    """The engine a spec runs on (``adcli.engines.select``): adcli's, or the torch engine."""
    from adcli.engines import EngineError, require_torch, select

    try:
        name = select(getattr(spec, "engine", None))
        if name == "torch":
            require_torch()
    except EngineError as err:  # an invalid spec or command line: exit 2
        if spec is None:
            raise
        raise SpecError(spec.path, spec.line, spec.column, str(err)) from None
    if name == "torch":
        from adcli.engines.torch_engine import engine

        return engine()
    if not _ENGINE:
        _ENGINE.append(_Engine())
    return _ENGINE[0]


def _kind_of(exc: BaseException, eng: _Engine) -> str | None:
    """The contract error kind of an exception raised by a statement; None: an adcli bug."""
    if isinstance(exc, eng.AdcliError):
        return exc.kind  # type: ignore[attr-defined, no-any-return]
    kind = eng.error_kind(exc)
    if kind is not None:
        return kind  # type: ignore[no-any-return]
    if getattr(exc, SPEC_RAISED, False):
        return "invalid_argument"  # the spec's own `raise` (or its call of an exception class)
    if isinstance(exc, RefusedError | MemoryError | RecursionError):
        return "invalid_argument"
    if isinstance(exc, AssertionError) and str(exc) == "Torch not compiled with CUDA enabled":
        return "invalid_argument"  # torch's (and adcli's) class for asking a CPU build for CUDA
    # Python errors of the spec's own operations are its mistakes; raised inside the engine,
    # where only deliberate checks (AdcliError) report user errors, they are adcli's bugs.
    if isinstance(exc, TypeError | ValueError | IndexError | KeyError | ArithmeticError
                  | NotImplementedError):
        return None if eng.engine_bug(exc) else "invalid_argument"
    return None


def _message(exc: BaseException) -> str:
    if isinstance(exc, MemoryError):
        return "out of memory"
    if isinstance(exc, RecursionError):
        return "value or calls nested too deeply"
    text = str(exc).strip()
    if getattr(exc, SPEC_RAISED, False) and not hasattr(type(exc), "kind"):
        # what the spec raised, as Python's last traceback line says it
        text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    elif isinstance(exc, KeyError) and text.startswith("'"):
        text = text.strip("'")
    lines = text.splitlines()
    return " ".join(lines)[:2000] if lines else type(exc).__name__


def context_text(context: list[str]) -> str | None:
    """``["call 1 of f()", "iteration 2 of `for ...`"]`` as one line; nested calls of one
    function (recursion) collapsed to the innermost: ``call 101 of f() (100 nested)``."""
    if not context:
        return None
    parts: list[str] = []
    count = 0
    for k, item in enumerate(context):
        count += 1
        nxt = context[k + 1] if k + 1 < len(context) else None
        if nxt is not None and item.startswith("call ") and nxt.startswith("call ") \
                and item.split(" of ", 1)[1:] == nxt.split(" of ", 1)[1:]:
            continue
        parts.append(item if count == 1 else f"{item} ({count} nested)")
        count = 0
    text = ", ".join(parts)
    return text if len(text) <= 500 else "..." + text[-497:]


# -- the run -----------------------------------------------------------------------------------
class Run(BudgetMixin, ExpressionsMixin, StatementsMixin, FunctionsMixin, ClassesMixin,
          ExtrasMixin, ValuesMixin):
    """One execution of a spec: its namespace, outputs and origin records."""

    def __init__(self, spec: Spec, vocab: Vocabulary, *, replay: bool = False,
                 overrides: dict[str, Any] | None = None) -> None:
        self.spec = spec
        self.vocab = vocab
        self.eng = _engine(spec)
        self.replay = replay
        self.overrides = overrides or {}
        self.namespace: dict[str, Any] = {}
        self.scope = Scope(self.namespace)
        self.context: list[str] = []
        # the exceptions `except` handlers are running for (caught, original): a bare `raise`
        self.handling: list[tuple[BaseException, BaseException]] = []
        self.origins: dict[int, Origin] = {}
        self.leaf_origins: dict[int, Origin] = {}
        self.binding_origin: dict[str, Origin] = {}
        # With execute(track_nodes=True): id(node) -> where every node reachable from the
        # tensors a statement names was first seen (for the culprit's step and line).
        self.made_at: dict[int, Origin] | None = None
        self.outputs: list[str] | None = None
        self.warnings: list[Any] | None = None
        self.output_chars = 0
        self.step: int | None = None  # None while the tensors section runs
        self.line = spec.line
        self.statement_text = ""  # the statement running (gradcheck names what it held)
        self.statement_line: int | None = None  # its first line
        self.places: Any = None  # a PlaceLog while a spec runs (names in-place errors' places)
        self.column = spec.column
        self.roots = self.eng.object_roots(vocab)
        self.object_types: dict[type, type] = dict(getattr(self.eng, "object_types", {}))
        self.tables = {**self.eng.tables(vocab), "builtins": self.make_builtins()}
        self.work = 0
        self.work_limit: int | None = None
        self.memory_limit: int | None = None
        self.memory_base = 0
        self.charges = 0
        self.ticks = 0
        self.depth = 0
        # gradcheck's `wrt: [model.weight]`: parameters reached by a path, replaced in replay
        self.path_overrides: list[tuple[ast.expr, Any, Any]] = []
        for key, value in self.overrides.items():
            if not key.isidentifier():
                node = parse_expression(key, SourceMap("<wrt>", text=key), vocab,
                                        set(spec.bound_names) | {key.split(".")[0].split("[")[0]})
                self.path_overrides.append((node, value, _Pinned(value)))

    @property
    def op_ids(self) -> frozenset[int]:
        """``id`` of every op a spec can name (calling a value is allowed for these)."""
        ids = getattr(self, "_op_ids", None)
        if ids is None:
            import math

            ids = frozenset(id(v) for k in ("torch", "functional", "autograd")
                            for v in self.tables[k].values()) | \
                frozenset(id(getattr(math, n)) for n in dir(math))
            self._op_ids = ids
        return ids

    # -- public helpers ----------------------------------------------------------------------
    def evaluate(self, text: str) -> Any:
        """Evaluate an expression in the namespace (raises SpecError / StepError)."""
        node = parse_expression(text, SourceMap("<expr>"), self.vocab, set(self.namespace))
        return self.eval_expr(Expr(text, node, 1, 1))

    def eval_expr(self, expr: Expr) -> Any:
        """Evaluate a checked expression, turning engine errors into StepError."""
        self.line, self.column = expr.line, expr.column
        try:
            with _recursion_room():
                return self.eval_node(expr.node)
        except StepError:
            raise
        except Exception as exc:
            raise self.failure(exc) from exc

    def exec_statement(self, st: Statement) -> None:
        """Run one checked statement (StepError on error; ``assertion`` for an assert)."""
        self.line, self.column = st.line, st.column
        self.statement_text, self.statement_line = st.text, st.line
        if self.replay and replay_skips(st.node):
            return
        if self.places is not None:
            self.places.mark()
        try:
            with _recursion_room():
                self.tick()
                self.exec_node(st.node)
            self.check_memory()
        except StepError:
            raise
        except Flow:  # the checker keeps break/continue/return inside loops and functions
            raise RefusedError("'break', 'continue' or 'return' outside its loop or "
                               "function") from None
        except Exception as exc:
            raise self.failure(exc) from exc
        if self.path_overrides:
            self.apply_path_overrides()
        if self.made_at is not None:
            self.note_new_nodes(st.node)

    def apply_path_overrides(self) -> None:
        """Put gradcheck's inputs in place of the parameters ``wrt`` names by path (a module
        made by a step holds its own copy until then)."""
        T = self.eng.Tensor
        for node, value, pinned in self.path_overrides:
            pinned.restore()
            try:
                if isinstance(node, ast.Attribute):
                    owner = self.eval_node(node.value)
                    current = self.get_attr(owner, node.attr)
                elif isinstance(node, ast.Subscript):
                    owner = self.eval_node(node.value)
                    current = owner[self.eval_slice(node.slice)]
                else:
                    continue
            except Exception:  # not made yet
                continue
            if current is value or not isinstance(current, T) or current.grad_fn is not None:
                continue
            if isinstance(node, ast.Attribute):
                set_parameter(owner, node.attr, value)
            else:
                owner[self.eval_slice(node.slice)] = value

    def make_origin(self, name: str | None, node: Any = None) -> Origin:
        return Origin(name, self.step, self.line, node, context_text(self.context))

    def note_new_nodes(self, stmt: ast.stmt, extra: tuple[Any, ...] = ()) -> None:
        """Record this statement's position for the nodes it made (seen from its names)."""
        T = self.eng.Tensor
        roots = list(extra)
        for n in ast.walk(stmt):
            if isinstance(n, ast.Name):
                value = self.peek(n.id)
                if isinstance(value, T) and value.grad_fn is not None:
                    roots.append(value.grad_fn)
        self._note_nodes(roots)

    def note_value(self, value: Any) -> None:
        """Record the current position for the nodes below a value (a function's result)."""
        T = self.eng.Tensor
        values = value if isinstance(value, tuple | list) else (value,)
        self._note_nodes([v.grad_fn for v in values[:64]
                          if isinstance(v, T) and v.grad_fn is not None])

    def _note_nodes(self, stack: list[Any]) -> None:
        made = self.made_at
        assert made is not None
        origin = None
        while stack:
            node = stack.pop()
            known = made.get(id(node))
            if known is not None and known.node is node:
                continue
            if origin is None:
                origin = self.make_origin(None)
            made[id(node)] = Origin(None, origin.step, origin.line, node, origin.context)
            stack.extend(m for m, _ in node.next_functions if m is not None)

    def failure(self, exc: Exception) -> StepError:
        """The StepError for an exception a statement raised (here, in the current loop
        iteration or call); re-raises an exception no spec can cause (an adcli bug)."""
        if isinstance(exc, StepError):
            return exc
        kind = _kind_of(exc, self.eng)
        if kind is None:
            raise exc
        message, places = _message(exc), None
        if self.places is not None and getattr(exc, "vc", None) is not None:
            message, places = self.places.explain(exc, message)
        elif kind == "inplace_modified":  # the places are unknown (the torch engine)
            from .inplace import with_adcli_hint

            message = with_adcli_hint(message)
        err = StepError(kind, message, self.step, self.line, self.column,
                        context_text(self.context), places, getattr(exc, "node", None))
        err.original = exc  # what a spec's `except` sees (re-raising sets __cause__ to err)
        return err

    _failure = failure


class _Pinned:
    """A checked parameter's values, held for the whole replay: an in-place write to it in a
    step (``nn.init.constant_``, an optimizer step under no_grad) is undone, so the function
    gradcheck sees maps the checked values to ``of``."""

    def __init__(self, value: Any) -> None:
        self.value = value
        self.array = getattr(value, "_data", None)
        self.saved: Any = None if self.array is None else self.array.copy()
        if self.array is None and hasattr(value, "_version") and hasattr(value, "detach"):
            self.saved = value.detach().clone()  # a torch tensor (the torch engine)
        self.version = getattr(value, "_version", 0)

    def restore(self) -> None:
        v = self.value
        if self.array is None:
            if self.saved is not None and v._version != self.version:
                v.detach().copy_(self.saved)  # shares the version counter: bumps it
                self.version = v._version
            return
        if v._data is self.array and v._version == self.version:
            return
        v._data = self.array
        self.array[...] = self.saved
        self.version = v._version


def set_parameter(owner: Any, attr: str, value: Any) -> None:
    """``owner.attr = value`` for a module's parameter, also when ``value`` is a plain tensor
    (torch's Module refuses those for a parameter's name; its ``_parameters`` takes them)."""
    try:
        setattr(owner, attr, value)
    except TypeError:
        params = getattr(owner, "_parameters", None)
        if not isinstance(params, dict) or attr not in params:
            raise
        params[attr] = value


@contextmanager
def _recursion_room() -> Iterator[None]:
    old = sys.getrecursionlimit()
    if old >= RECURSION_LIMIT:
        yield
        return
    sys.setrecursionlimit(RECURSION_LIMIT)
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


# -- running a spec ----------------------------------------------------------------------------
@contextmanager
def _engine_state(spec: Spec, max_elements: int | None, dtype: str | None) -> Iterator[None]:
    e = _engine(spec)
    prev_registries = registries.snapshot()  # (KL and constraint rules a step may register)
    prev_dtype = e.dtypes.get_default_dtype()
    prev_max = e.limits.get_max_elements()
    prev_grad = e.grad_mode.is_grad_enabled()
    try:
        want = dtype or spec.dtype
        e.dtypes.set_default_dtype(want if want in ("float32", "float64") else "float64")
        if max_elements is not None:
            e.limits.set_max_elements(max_elements)
        e.creation.manual_seed(spec.seed)
        with warnings.catch_warnings(), _np_quiet(), e.scope():
            warnings.simplefilter("ignore")
            yield
    finally:
        registries.restore(prev_registries)
        e.dtypes.set_default_dtype(prev_dtype)
        e.limits.set_max_elements(prev_max)
        e.grad_mode.set_grad_enabled(prev_grad)


@contextmanager
def _np_quiet() -> Iterator[None]:
    import numpy as np

    with np.errstate(all="ignore"):
        yield


def _make_leaf(run: Run, decl: TensorDecl, spec: Spec) -> Any:
    e = run.eng
    if decl.name in run.overrides:
        return run.overrides[decl.name]
    if decl.expr is not None:
        value = run.eval_expr(decl.expr)
        if not isinstance(value, e.Tensor):
            if isinstance(value, bool | int | float | list | tuple):
                value = e.creation.tensor(value)
            else:
                raise StepError("invalid_argument", f"'{decl.name}' is not a tensor", None,
                                  decl.line, decl.column)
        return value
    dtype = decl.dtype
    if dtype is None and spec.dtype in ("int64", "bool"):
        dtype = spec.dtype
    if dtype is None and decl.requires_grad:
        dtype = e.dtype_name(e.dtypes.get_default_dtype())
    run.line, run.column = decl.line, decl.column
    try:
        return e.creation.tensor(decl.data, dtype=dtype, requires_grad=decl.requires_grad)
    except Exception as exc:
        raise run._failure(exc) from exc


def execute(spec: Spec, *, max_elements: int | None = None,
            overrides: dict[str, Any] | None = None, replay: bool = False,
            dtype: str | None = None, report: RunReport | None = None,
            vocab: Vocabulary | None = None, max_work: int | None = None,
            max_memory: int | None = None, track_nodes: bool = False,
            stop_hook: Any = None, memory_base: int | None = None) -> Run:
    """Run a spec and return the :class:`Run` (raises :class:`StepError` in replay mode).

    ``track_nodes`` records in ``Run.made_at`` the statement that made each graph node.

    With a ``report``, results are recorded in it and undeclared failures stop the run
    (recorded as ``report.error``) instead of raising. ``max_work`` (elements computed in
    total) and ``max_memory`` (bytes the run may add, counted from ``memory_base`` when
    given: a gradient check's replays share its budget) stop a run as ``invalid_argument``.
    """
    run = Run(spec, vocab or spec.vocab or default_vocabulary(), replay=replay,
              overrides=overrides)
    run.set_budget(max_work, max_memory, memory_base)
    if stop_hook is not None:  # gradcheck's holder of stop-gradients (adcli.check.stopgrad)
        stop_hook.start(run)
    if track_nodes:
        run.made_at = {}
    if not replay and run.eng.name == "adcli":
        from .inplace import PlaceLog

        run.places = PlaceLog(run)
    listening = run.places.listening() if run.places is not None else nullcontext()
    with _engine_state(spec, max_elements, dtype), listening:
        meter = run.eng.limits.set_work_meter(run.charge_elements)
        try:
            for decl in spec.tensors:
                value = _make_leaf(run, decl, spec)
                run.line = decl.line
                run.namespace[decl.name] = value
                if isinstance(value, run.eng.Tensor):
                    origin = Origin(decl.name, None, decl.line, value)
                    run.binding_origin[decl.name] = origin
                    run.leaf_origins[id(value)] = origin
            _run_steps(run, spec.steps, report, None)
        except StepError as f:
            if report is None:
                raise
            report.ok = False
            kind = "invalid_argument" if f.kind == "assertion" else f.kind
            report.error = ErrorInfo(kind, f.message, f.step, f.line, f.column, f.context,
                                     f.places.get("saved_by"), f.places.get("modified_at"),
                                     f.node)
        finally:
            run.eng.limits.set_work_meter(meter)
        if report is not None:
            report.tensors = tensor_infos(run)
    return run


def _run_steps(run: Run, steps: list[Step], report: RunReport | None,
               parent: StepResult | None) -> None:
    for step in steps:
        if run.replay and step.kind in ("raises", "expect", "print", "graph"):
            continue
        run.step = step.index
        result = StepResult(step.index, step.kind, step.text, step.line)
        if report is not None:
            (parent.children if parent else report.steps).append(result)
        run.outputs = result.outputs
        run.warnings = result.warnings
        try:
            _run_step(run, step, report, result)
        except StepError as f:
            result.ok = False
            result.error = ErrorInfo(f.kind, f.message, f.step, f.line, f.column, f.context,
                                     f.places.get("saved_by"), f.places.get("modified_at"),
                                     f.node)
            if parent is not None:
                parent.ok = False
            raise
        finally:
            run.outputs = None
            run.warnings = None
        if parent is not None and not result.ok:
            parent.ok = False


def _run_step(run: Run, step: Step, report: RunReport | None, result: StepResult) -> None:
    if step.kind == "statements":
        for st in step.statements:
            try:
                run.exec_statement(st)
            except StepError as f:
                if f.kind != "assertion" or report is None:
                    raise
                _expect(report, result, Expectation(step.index, st.text, False, f.message,
                                                    st.line, st.column))
            else:
                if isinstance(st.node, ast.Assert) and report is not None and not run.replay:
                    _expect(report, result, Expectation(step.index, st.text, True, "held",
                                                        st.line, st.column))
    elif step.kind == "no_grad":
        before = {k: id(v) for k, v in run.namespace.items()}
        with run.eng.grad_mode.no_grad():
            _run_steps(run, step.children, report, result)
        if run.replay:
            _hold_no_grad(run, step, before)
    elif step.kind == "raises":
        _run_raises(run, step, report, result)
    elif step.kind == "expect":
        for item in step.expects:
            got = run.eval_expr(item.expr)
            exp = compare_expectation(item.expr, got, item.wanted, step, run.eng)
            if report is not None:
                _expect(report, result, exp)
    elif step.kind == "print":
        for e in step.exprs:
            value = run.eval_expr(e)
            text = run._str(value)
            run.emit(f"{e.text} = {text}" if "\n" not in text else f"{e.text} =\n{text}")
    elif step.kind == "graph":
        e = step.exprs[0]
        value = run.eval_expr(e)
        result.graph = build_graph(value, run)


def _expect(report: RunReport, result: StepResult, exp: Expectation) -> None:
    result.expectations.append(exp)
    report.expectations.append(exp)
    if not exp.ok:
        result.ok = False
        report.ok = False


def _hold_no_grad(run: Run, step: Step, before: dict[str, int]) -> None:
    """Pass the tensors a ``no_grad`` step bound through the engine's stop-gradient hook
    (gradcheck holds them at their recorded values; no hook: nothing changes)."""
    from adcli.engine import stopgrad

    if stopgrad.hook[0] is None:
        return
    for name, value in list(run.namespace.items()):
        if isinstance(value, run.eng.Tensor) and before.get(name) != id(value):
            run.step, run.line = step.index, step.line
            run.statement_text = f"no_grad: {name} = ..."
            run.namespace[name] = stopgrad.held("no_grad", value)


def _run_raises(run: Run, step: Step, report: RunReport | None, result: StepResult) -> None:
    want = step.raises
    got: StepError | None = None
    for st in step.statements:
        try:
            run.exec_statement(st)
        except StepError as f:
            got = f
            break
    line, col = step.line, step.column
    if got is None:
        exp = Expectation(step.index, f"raises {want}", False,
                          f"expected a {want} error, but the statement succeeded", line, col)
    elif got.kind != want:
        exp = Expectation(step.index, f"raises {want}", False,
                          f"expected a {want} error, got {got.kind}: {got.message}", line, col)
    elif step.match is not None and not re.search(step.match, got.message[:2000]):
        exp = Expectation(step.index, f"raises {want}", False,
                          f"the {want} error does not match {step.match!r}: {got.message}",
                          line, col)
    else:
        exp = Expectation(step.index, f"raises {want}", True,
                          f"raised {want}: {_short_repr(got.message, 100)}", line, col)
    if report is not None:
        _expect(report, result, exp)


# -- entry points ------------------------------------------------------------------------------
def _has_graph_step(steps: list[Step]) -> bool:
    return any(st.kind == "graph" or _has_graph_step(st.children) for st in steps)


def run_spec(spec: Spec, *, max_elements: int | None = None,
             raise_internal: bool = False, graph: bool = False,
             max_memory: int | None = MAX_MEMORY_BYTES) -> RunReport:
    """Run every step of a spec and report (never raises for anything the spec does).

    With ``graph``, the report also holds the grad_fn graph of the last assigned tensor.
    The run may compute ``WORK_FACTOR * max_elements`` tensor elements in total and grow
    the process by ``max_memory`` bytes (None: unlimited).
    """
    report = RunReport(spec=spec.path, name=spec.name)
    limit = max_elements if max_elements is not None else _engine().limits.get_max_elements()
    try:
        run = execute(spec, max_elements=max_elements, report=report,
                      max_work=WORK_FACTOR * limit, max_memory=max_memory,
                      track_nodes=graph or _has_graph_step(spec.steps))
        if graph:
            from adcli.graph.snapshot import graph_of_run

            report.graph = graph_of_run(spec, run, max_nodes=MAX_GRAPH_NODES)
    except SpecError as err:
        return RunReport.from_error(err, spec.name)
    except Exception as exc:
        if raise_internal:
            raise
        report.ok = False
        report.internal = f"{type(exc).__name__}: {_message(exc)}"
    return report


def replay(spec: Spec, overrides: dict[str, Any], of: str | Expr, *, dtype: str | None = None,
           max_elements: int | None = None) -> Any:
    """Re-run the steps with the named leaves replaced and return the value of ``of``.

    Skips statements that call backward, print, assert or read ``.grad`` (see
    :func:`~adcli.spec.language.replay_skips`), and the expect/print/graph/raises steps.
    Raises :class:`StepError` if a statement fails, :class:`SpecError` if ``of`` is not a
    valid expression.
    """
    run = execute(spec, max_elements=max_elements, overrides=overrides, replay=True, dtype=dtype)
    with _engine_state(spec, max_elements, dtype):
        if isinstance(of, Expr):
            return run.eval_expr(of)
        return run.evaluate(of)
