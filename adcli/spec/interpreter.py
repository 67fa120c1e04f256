"""Running specs: a tree-walking interpreter over checked ``ast`` nodes, against the engine.

Public API:

- ``run_spec(spec, *, max_elements=None, raise_internal=False) -> RunReport``: run every
  step; never raises for anything a spec can do (an internal error sets
  ``report.internal``, exit code 3, unless ``raise_internal``).
- ``execute(spec, *, max_elements=None, overrides=None, replay=False, dtype=None) -> Run``:
  the lower-level run; the returned :class:`Run` keeps the namespace, so
  ``Run.evaluate(text)`` evaluates an expression (``"w.grad"``) in the finished run, and
  ``Run.origins`` maps ``id(grad_fn node)`` to the :class:`Origin` (name, step, line) of the
  tensor bound by name that the node produced (``Run.leaf_origins``: ``id(leaf tensor)``).
- ``replay(spec, overrides, of, *, dtype=None, max_elements=None) -> Tensor``: run the steps
  again with the named leaves replaced by ``overrides`` (in ``tensors``, or where a step binds
  a new leaf to that name), skipping statements that call backward, print, assert or read
  ``.grad`` (backward is skipped, so ``.grad`` holds nothing to read; inside a ``with`` block
  statement by statement) and the steps expect/print/graph/raises, then evaluate ``of``.
  For gradcheck.
- ``StepError``: raised by ``execute``/``replay`` when a statement fails (``kind``,
  ``message``, ``step``, ``line``, ``column``).

While a spec runs, the default dtype is the spec's (float64 unless set), the random generator
is seeded with the spec's seed before ``tensors``, and the engine's element limit is
``max_elements``; all three and grad mode are restored afterwards.
"""

from __future__ import annotations

import ast
import math
import operator
import re
import warnings
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import islice
from typing import Any

from .errors import SpecError
from .language import (
    SETTABLE_ATTRS,
    OpRef,
    SourceMap,
    Vocabulary,
    default_vocabulary,
    parse_expression,
    replay_skips,
)
from .loader import Expr, Spec, Statement, Step, TensorDecl
from .report import (
    ErrorInfo,
    Expectation,
    RunReport,
    RunWarning,
    StepResult,
    TensorInfo,
)

MAX_INT_BITS = 16_384
MAX_SEQUENCE = 1_000_000
MAX_GRAPH_NODES = 500
MAX_OUTPUT_CHARS = 2_000_000

# PyTorch's UserWarning, word for word (a spec run shows it on the step that read .grad).
NONLEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
    "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. "
    "If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor "
    "instead. See github.com/pytorch/pytorch/pull/30531 for more information.")
WORK_FACTOR = 50
"""``run_spec`` stops a spec whose ops produce more than ``WORK_FACTOR * max_elements``
tensor elements in total (a per-tensor limit alone lets 1000 steps on big tensors run for
minutes)."""
MAX_MEMORY_BYTES = 256 * 2**20
"""``run_spec`` stops a spec whose run grows the process by more than this (tensors, saved
graphs): per-tensor limits alone let a few dozen big tensors exhaust memory."""

_BINOP: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
    ast.Pow: operator.pow, ast.MatMult: operator.matmul, ast.BitAnd: operator.and_,
    ast.BitOr: operator.or_, ast.BitXor: operator.xor,
}
_INPLACE: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.iadd, ast.Sub: operator.isub, ast.Mult: operator.imul,
    ast.Div: operator.itruediv, ast.FloorDiv: operator.ifloordiv, ast.Mod: operator.imod,
    ast.Pow: operator.ipow, ast.MatMult: operator.imatmul, ast.BitAnd: operator.iand,
    ast.BitOr: operator.ior, ast.BitXor: operator.ixor,
}
_CMP: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge, ast.Is: operator.is_, ast.IsNot: operator.is_not,
}
_UNOP: dict[type, Callable[[Any], Any]] = {
    ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Invert: operator.invert,
    ast.Not: operator.not_,
}


class StepError(Exception):
    """A statement failed: ``kind`` is a contract error kind (or ``assertion``)."""

    def __init__(self, kind: str, message: str, step: int | None, line: int, column: int) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.step = step
        self.line = line
        self.column = column


class _RefusedError(Exception):
    """A spec value misused at run time (e.g. a method called on a list): invalid_argument."""


class Origin:
    """Where a tensor bound by name was created: its name, its step (None: the tensors
    section) and line. ``name`` is None for the record of a node no name was bound to.

    ``node`` is the grad_fn node (or leaf tensor) itself while it lives, None once freed: the
    record holds it weakly, so rebinding a name frees the old tensor and its saved graph as
    in PyTorch, and a reused ``id()`` is told apart from the original by ``node``.
    """

    __slots__ = ("_ref", "line", "name", "step")

    def __init__(self, name: str | None, step: int | None, line: int,
                 node: Any = None) -> None:
        self.name, self.step, self.line = name, step, line
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
        return f"Origin(name={self.name!r}, step={self.step}, line={self.line})"


# -- the engine, imported lazily ---------------------------------------------------------------
class _Engine:
    def __init__(self) -> None:
        from adcli.engine import creation, dtypes, grad_mode, limits
        from adcli.engine.errors import AdcliError
        from adcli.engine.node import Node
        from adcli.engine.tensor import Size, Tensor

        self.Tensor, self.Size, self.Node, self.AdcliError = Tensor, Size, Node, AdcliError
        self.creation, self.dtypes, self.grad_mode, self.limits = (creation, dtypes, grad_mode,
                                                                  limits)
        self.dtype_cls = dtypes.dtype


_ENGINE: list[_Engine] = []


def _engine() -> _Engine:
    if not _ENGINE:
        _ENGINE.append(_Engine())
    return _ENGINE[0]


def _kind_of(exc: BaseException, eng: _Engine) -> str | None:
    """The contract error kind of an exception raised by a statement; None: an adcli bug."""
    if isinstance(exc, eng.AdcliError):
        return exc.kind  # type: ignore[attr-defined, no-any-return]
    if isinstance(exc, _RefusedError | TypeError | ValueError | IndexError | KeyError
                  | ArithmeticError | MemoryError | RecursionError):
        return "invalid_argument"
    return None


def _message(exc: BaseException) -> str:
    if isinstance(exc, MemoryError):
        return "out of memory"
    if isinstance(exc, RecursionError):
        return "value nested too deeply"
    text = str(exc).strip()
    if isinstance(exc, KeyError) and text.startswith("'"):
        text = text.strip("'")
    lines = text.splitlines()
    return " ".join(lines)[:2000] if lines else type(exc).__name__


# -- the run -----------------------------------------------------------------------------------
class Run:
    """One execution of a spec: its namespace, outputs and origin records."""

    def __init__(self, spec: Spec, vocab: Vocabulary, *, replay: bool = False,
                 overrides: dict[str, Any] | None = None) -> None:
        self.spec = spec
        self.vocab = vocab
        self.eng = _engine()
        self.replay = replay
        self.overrides = overrides or {}
        self.namespace: dict[str, Any] = {}
        self.origins: dict[int, Origin] = {}
        self.leaf_origins: dict[int, Origin] = {}
        self.binding_origin: dict[str, Origin] = {}
        # With execute(track_nodes=True): id(node) -> where every node reachable from the
        # tensors a statement names was first seen (for the culprit's step and line).
        self.made_at: dict[int, Origin] | None = None
        self.outputs: list[str] | None = None
        self.warnings: list[RunWarning] | None = None
        self.output_chars = 0
        self.step: int | None = None  # None while the tensors section runs
        self.line = spec.line
        self.column = spec.column
        self.builtins: dict[str, Callable[..., Any]] = {
            "print": self._print, "len": len, "float": float, "int": self._int,
            "bool": bool, "str": self._str, "round": round, "abs": abs,
            "list": self._seq(list), "tuple": self._seq(tuple),
        }
        self.tables = {"torch": vocab.torch, "functional": vocab.functional,
                       "autograd": vocab.autograd, "builtins": self.builtins}
        self.work = 0
        self.work_limit: int | None = None
        self.memory_limit: int | None = None
        self.memory_base = 0
        self.charges = 0

    # -- resource budget ---------------------------------------------------------------------
    def set_budget(self, work: int | None, memory: int | None) -> None:
        """Limit the total elements computed and the memory the run may add (None: no limit)."""
        self.work_limit, self.memory_limit = work, memory
        self.memory_base = _rss_bytes()

    def charge(self, value: Any) -> Any:
        """Account for a value an op produced; refuse when the run is over its budget."""
        if self.work_limit is None and self.memory_limit is None:
            return value
        n = int(value._data.size) if isinstance(value, self.eng.Tensor) else 0
        self.work += n
        self.charges += 1
        if self.work_limit is not None and self.work > self.work_limit:
            raise _RefusedError(f"the spec computes more than {self.work_limit:,} tensor "
                                "elements in total (raise it with --max-elements)")
        if n >= 65_536 or self.charges % 256 == 0:
            self.check_memory()
        return value

    def check_memory(self) -> None:
        if self.memory_limit is None:
            return
        used = _rss_bytes() - self.memory_base
        if used > self.memory_limit:
            raise _RefusedError(f"the spec uses more than {self.memory_limit // 2**20:,} MB of "
                                "memory (raise it with --max-memory)")

    # -- public helpers ----------------------------------------------------------------------
    def evaluate(self, text: str) -> Any:
        """Evaluate an expression in the namespace (raises SpecError / StepError)."""
        node = parse_expression(text, SourceMap("<expr>"), self.vocab, set(self.namespace))
        return self.eval_expr(Expr(text, node, 1, 1))

    def eval_expr(self, expr: Expr) -> Any:
        """Evaluate a checked expression, turning engine errors into StepError."""
        self.line, self.column = expr.line, expr.column
        try:
            return self.eval_node(expr.node)
        except StepError:
            raise
        except Exception as exc:
            raise self._failure(exc) from exc

    def exec_statement(self, st: Statement) -> None:
        """Run one checked statement (StepError on error; ``assertion`` for an assert)."""
        self.line, self.column = st.line, st.column
        if self.replay and replay_skips(st.node):
            return
        try:
            self.exec_node(st.node)
            self.check_memory()
        except StepError:
            raise
        except Exception as exc:
            raise self._failure(exc) from exc
        if self.made_at is not None:
            self._note_new_nodes(st.node)

    def _note_new_nodes(self, stmt: ast.stmt) -> None:
        """Record this statement's position for the nodes it made (seen from its names)."""
        made = self.made_at
        assert made is not None
        T = self.eng.Tensor
        stack = []
        for n in ast.walk(stmt):
            if isinstance(n, ast.Name):
                value = self.namespace.get(n.id)
                if isinstance(value, T) and value.grad_fn is not None:
                    stack.append(value.grad_fn)
        while stack:
            node = stack.pop()
            known = made.get(id(node))
            if known is not None and known.node is node:
                continue
            made[id(node)] = Origin(None, self.step, self.line, node)
            stack.extend(m for m, _ in node.next_functions if m is not None)

    def _failure(self, exc: Exception) -> StepError:
        kind = _kind_of(exc, self.eng)
        if kind is None:
            raise exc
        return StepError(kind, _message(exc), self.step, self.line, self.column)

    # -- statements --------------------------------------------------------------------------
    def exec_node(self, node: ast.stmt) -> None:
        if isinstance(node, ast.Expr):
            self.eval_node(node.value)
        elif isinstance(node, ast.Assign):
            value = self.eval_node(node.value)
            for t in node.targets:
                self.assign(t, value)
        elif isinstance(node, ast.AugAssign):
            self.aug_assign(node)
        elif isinstance(node, ast.Assert):
            if not self.truth(self.eval_node(node.test)):
                msg = "assertion failed"
                if node.msg is not None:
                    msg += f": {self._str(self.eval_node(node.msg))}"
                raise StepError("assertion", msg, self.step, self.line, self.column)
        elif isinstance(node, ast.With):
            ctx = self.eval_node(node.items[0].context_expr)
            with ctx:
                for s in node.body:
                    if not (self.replay and replay_skips(s)):
                        self.exec_node(s)
        elif isinstance(node, ast.Pass):
            pass
        else:  # the checker lets nothing else through
            raise _RefusedError(f"statement {type(node).__name__} is not allowed")

    def assign(self, target: ast.expr, value: Any) -> None:
        if isinstance(target, ast.Name):
            self.bind(target.id, value)
        elif isinstance(target, ast.Tuple | ast.List):
            n = len(target.elts)
            if isinstance(value, self.eng.Tensor | list | tuple):
                items = list(islice(iter(value), n + 1))
            else:
                raise _RefusedError(f"cannot unpack {type(value).__name__}")
            if len(items) != n:
                raise _RefusedError(f"expected {n} values to unpack, got "
                               f"{'more' if len(items) > n else len(items)}")
            for t, v in zip(target.elts, items):
                self.assign(t, v)
        elif isinstance(target, ast.Subscript):
            obj, index = self.item_target(target)
            obj[index] = value
        elif isinstance(target, ast.Attribute):
            self.set_attr(self.eval_node(target.value), target.attr, value)
        else:
            raise _RefusedError("invalid assignment target")

    def bind(self, name: str, value: Any) -> None:
        T = self.eng.Tensor
        if (self.replay and name in self.overrides and isinstance(value, T)
                and value.grad_fn is None):
            value = self.overrides[name]
        self.namespace[name] = value
        if isinstance(value, T):
            origin = Origin(name, self.step, self.line)
            self.binding_origin[name] = origin
            if value.grad_fn is not None:
                self.origins[id(value.grad_fn)] = Origin(name, self.step, self.line,
                                                         value.grad_fn)
            else:
                self.leaf_origins[id(value)] = Origin(name, self.step, self.line, value)

    def set_attr(self, obj: Any, attr: str, value: Any) -> None:
        T = self.eng.Tensor
        if not isinstance(obj, T) or attr not in SETTABLE_ATTRS:
            raise _RefusedError(f"cannot set attribute '{attr}' of {type(obj).__name__}")
        if attr == "grad":
            if value is not None and not isinstance(value, T):
                raise _RefusedError("assigned grad must be a Tensor or None")
            obj.grad = value
        elif attr == "requires_grad":
            obj.requires_grad_(bool(value))
        else:
            if not isinstance(value, T):
                raise _RefusedError("assigned data must be a Tensor")
            obj.data = value

    def aug_assign(self, node: ast.AugAssign) -> None:
        rhs = self.eval_node(node.value)
        target = node.target
        op = type(node.op)
        if isinstance(target, ast.Name):
            cur = self.namespace[target.id]
            self.bind(target.id, self.inplace(op, cur, rhs))
        elif isinstance(target, ast.Subscript):
            obj, index = self.item_target(target)
            obj[index] = self.inplace(op, obj[index], rhs)
        else:
            assert isinstance(target, ast.Attribute)
            obj = self.eval_node(target.value)
            self.set_attr(obj, target.attr, self.inplace(op, self.get_attr(obj, target.attr), rhs))

    def inplace(self, op: type, cur: Any, rhs: Any) -> Any:
        if isinstance(cur, self.eng.Tensor):
            return self.charge(_INPLACE[op](cur, rhs))
        return self.binop(op, cur, rhs)

    # -- expressions -------------------------------------------------------------------------
    def item_target(self, target: ast.Subscript) -> tuple[Any, Any]:
        """The tensor and index of ``t[index] = ...`` (only tensors take item assignment)."""
        obj = self.eval_node(target.value)
        index = self.eval_slice(target.slice)
        if not isinstance(obj, self.eng.Tensor):
            raise _RefusedError(f"'{type(obj).__name__}' does not support item assignment "
                                "(only tensors do)")
        return obj, index

    def eval_node(self, node: ast.expr) -> Any:
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            try:
                return self.namespace[node.id]
            except KeyError:
                raise _RefusedError(f"name '{node.id}' is not defined") from None
        if isinstance(node, OpRef):
            return self.tables[node.namespace][node.name]
        if isinstance(node, ast.Attribute):
            return self.get_attr(self.eval_node(node.value), node.attr)
        if isinstance(node, ast.Call):
            return self.charge(self.call(node))
        if isinstance(node, ast.BinOp):
            return self.charge(self.binop(type(node.op), self.eval_node(node.left),
                                          self.eval_node(node.right)))
        if isinstance(node, ast.UnaryOp):
            v = self.eval_node(node.operand)
            if isinstance(node.op, ast.Not):
                return not self.truth(v)
            self.check_python(v)
            return self.charge(_UNOP[type(node.op)](v))
        if isinstance(node, ast.BoolOp):
            is_and = isinstance(node.op, ast.And)
            v: Any = None
            for sub in node.values:
                v = self.eval_node(sub)
                if self.truth(v) != is_and:
                    return v
            return v
        if isinstance(node, ast.Compare):
            left = self.eval_node(node.left)
            result: Any = True
            for op, comp in zip(node.ops, node.comparators):
                right = self.eval_node(comp)
                result = self.compare(type(op), left, right)
                if len(node.ops) > 1 and not self.truth(result):
                    return False
                left = right
            return result
        if isinstance(node, ast.Subscript):
            obj = self.eval_node(node.value)
            index = self.eval_slice(node.slice)
            if isinstance(obj, self.eng.Tensor | list | tuple | str):
                return self.charge(obj[index])
            raise _RefusedError(f"'{type(obj).__name__}' object is not subscriptable")
        if isinstance(node, ast.Tuple):
            return tuple(self.eval_node(e) for e in node.elts)
        if isinstance(node, ast.List):
            return [self.eval_node(e) for e in node.elts]
        if isinstance(node, ast.JoinedStr):
            return self.fstring(node)
        raise _RefusedError(f"{type(node).__name__} is not allowed")

    def eval_slice(self, node: ast.expr) -> Any:
        if isinstance(node, ast.Slice):
            parts = [None if p is None else self.eval_node(p) for p in (node.lower, node.upper,
                                                                    node.step)]
            return slice(*parts)
        if isinstance(node, ast.Tuple):
            return tuple(self.eval_slice(e) for e in node.elts)
        return self.eval_node(node)

    def truth(self, value: Any) -> bool:
        return bool(value)

    def fstring(self, node: ast.JoinedStr) -> str:
        out = []
        for part in node.values:
            if isinstance(part, ast.Constant):
                out.append(part.value)
                continue
            assert isinstance(part, ast.FormattedValue)
            v = self.eval_node(part.value)
            if part.conversion == ord("r"):
                v = repr(v)
            elif part.conversion == ord("a"):
                v = ascii(v)
            elif part.conversion == ord("s"):
                v = self._str(v)
            spec = ""
            if part.format_spec is not None:
                spec = "".join(str(c.value) for c in part.format_spec.values
                               if isinstance(c, ast.Constant))
            out.append(format(v, spec) if spec else self._str(v))
        text = "".join(out)
        self.check_python(text)
        return text

    def get_attr(self, obj: Any, attr: str) -> Any:
        e = self.eng
        if isinstance(obj, e.Tensor):
            if attr in self.vocab.tensor_attrs:
                value = getattr(obj, attr)
                if (attr == "grad" and value is None and obj.grad_fn is not None
                        and not obj.retains_grad):
                    self.warn(NONLEAF_GRAD_WARNING)
                return value
        elif isinstance(obj, e.Node):
            if attr == "next_functions":
                return obj.next_functions
        elif isinstance(obj, e.dtype_cls):
            if attr == "is_floating_point":
                return obj.is_floating_point
        elif isinstance(obj, tuple) and attr in ("values", "indices") and hasattr(obj, attr):
            return getattr(obj, attr)
        raise _RefusedError(f"'{type(obj).__name__}' object has no attribute '{attr}'")

    def call(self, node: ast.Call) -> Any:
        args = [self.eval_node(a) for a in node.args]
        kwargs = {k.arg: self.eval_node(k.value) for k in node.keywords if k.arg is not None}
        func = node.func
        if isinstance(func, OpRef):
            fn = self.tables[func.namespace][func.name]
            return fn(*args, **kwargs)
        assert isinstance(func, ast.Attribute)
        obj = self.eval_node(func.value)
        name = func.attr
        e = self.eng
        if isinstance(obj, e.Tensor) and name in self.vocab.methods and name in \
                self.vocab.tensor_methods:
            if name == "tolist" and obj._data.size > MAX_SEQUENCE:
                raise _RefusedError(f"tensor too large for tolist() (more than "
                                    f"{MAX_SEQUENCE:,} elements)")
            return getattr(obj, name)(*args, **kwargs)
        if isinstance(obj, e.Node) and name == "name":
            return obj.name(*args, **kwargs)
        if isinstance(obj, e.Size) and name == "numel":
            return obj.numel(*args, **kwargs)
        raise _RefusedError(f"'{type(obj).__name__}' object has no method '{name}'")

    # -- Python values: arithmetic that can neither hang nor exhaust memory ------------------
    def check_python(self, value: Any) -> None:
        if isinstance(value, bool):
            return
        if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
            raise _RefusedError(f"integer too large (more than {MAX_INT_BITS} bits)")
        if isinstance(value, str | list | tuple) and len(value) > MAX_SEQUENCE:
            raise _RefusedError(f"sequence too long (more than {MAX_SEQUENCE:,} items)")

    def binop(self, op: type, a: Any, b: Any) -> Any:
        # Before the tensor dispatch: str.__mod__ runs first even when b is a tensor
        # ('%999999999s' % x would build a gigabyte string).
        if op is ast.Mod and isinstance(a, str):
            raise _RefusedError("'%' string formatting is not supported; use an f-string")
        T = self.eng.Tensor
        if isinstance(a, T) or isinstance(b, T):
            return _BINOP[op](a, b)
        self.check_python(a)
        self.check_python(b)
        seq = (str, list, tuple)
        if (op is ast.Pow and isinstance(a, int) and isinstance(b, int) and b > 0
                and abs(a) > 1 and b * a.bit_length() > MAX_INT_BITS + 64):
            raise _RefusedError(f"integer too large (more than {MAX_INT_BITS} bits)")
        if op is ast.Mult:
            if isinstance(a, int) and isinstance(b, seq):
                a, b = b, a
            if isinstance(a, seq) and isinstance(b, int) and b > 0 and len(a) * b > MAX_SEQUENCE:
                raise _RefusedError(f"sequence too long (more than {MAX_SEQUENCE:,} items)")
            if (isinstance(a, int) and isinstance(b, int)
                    and a.bit_length() + b.bit_length() > MAX_INT_BITS + 64):
                raise _RefusedError(f"integer too large (more than {MAX_INT_BITS} bits)")
        if (op is ast.Add and isinstance(a, seq) and isinstance(b, seq)
                and len(a) + len(b) > MAX_SEQUENCE):
            raise _RefusedError(f"sequence too long (more than {MAX_SEQUENCE:,} items)")
        result = _BINOP[op](a, b)
        self.check_python(result)
        return result

    def compare(self, op: type, a: Any, b: Any) -> Any:
        if op in (ast.In, ast.NotIn):
            if not isinstance(b, list | tuple | str):
                raise _RefusedError(f"'in' needs a list, tuple or string, not {type(b).__name__}")
            found = a in b
            return found if op is ast.In else not found
        return _CMP[op](a, b)

    # -- builtins ----------------------------------------------------------------------------
    def _print(self, *args: Any, sep: Any = " ", end: Any = "\n") -> None:
        if not isinstance(sep, str | None) or not isinstance(end, str | None):
            raise _RefusedError("print(): sep and end must be strings")
        text = (" " if sep is None else sep).join(self._str(a) for a in args)
        text += "\n" if end is None else end
        self.emit(text.removesuffix("\n"))

    def warn(self, message: str) -> None:
        """Note a warning PyTorch would give, once per statement position."""
        if self.warnings is None:
            return
        w = RunWarning(self.step, self.line, self.column, message)
        if w not in self.warnings:
            self.warnings.append(w)

    def emit(self, text: str) -> None:
        if self.outputs is None:
            return
        self.output_chars += len(text)
        if self.output_chars > MAX_OUTPUT_CHARS:
            raise _RefusedError(f"too much output (more than {MAX_OUTPUT_CHARS:,} characters)")
        self.outputs.append(text)

    def _str(self, value: Any) -> str:
        self.check_python(value)
        return str(value)

    def _int(self, *args: Any) -> int:
        result = int(*args)
        self.check_python(result)
        return result

    def _seq(self, kind: type) -> Callable[..., Any]:
        def make(value: Any = ()) -> Any:
            if isinstance(value, self.eng.Tensor) and value.ndim > 0 and len(value) > 100_000:
                raise _RefusedError("tensor too long to convert to a list")
            if not isinstance(value, self.eng.Tensor | list | tuple | str):
                raise _RefusedError(f"cannot convert {type(value).__name__} to {kind.__name__}")
            return kind(value)

        return make


def _rss_bytes() -> int:
    """The resident memory of this process now (peak where the current one is unknown)."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            import os

            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        try:
            import resource
            import sys

            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            return int(peak) * (1 if sys.platform == "darwin" else 1024)
        except (ImportError, OSError):
            return 0


# -- running a spec ----------------------------------------------------------------------------
@contextmanager
def _engine_state(spec: Spec, max_elements: int | None, dtype: str | None) -> Iterator[None]:
    e = _engine()
    prev_dtype = e.dtypes.get_default_dtype()
    prev_max = e.limits.get_max_elements()
    prev_grad = e.grad_mode.is_grad_enabled()
    try:
        want = dtype or spec.dtype
        e.dtypes.set_default_dtype(want if want in ("float32", "float64") else "float64")
        if max_elements is not None:
            e.limits.set_max_elements(max_elements)
        e.creation.manual_seed(spec.seed)
        with warnings.catch_warnings(), _np_quiet():
            warnings.simplefilter("ignore")
            yield
    finally:
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
        dtype = e.dtypes.get_default_dtype().name
    run.line, run.column = decl.line, decl.column
    try:
        return e.creation.tensor(decl.data, dtype=dtype, requires_grad=decl.requires_grad)
    except Exception as exc:
        raise run._failure(exc) from exc


def execute(spec: Spec, *, max_elements: int | None = None,
            overrides: dict[str, Any] | None = None, replay: bool = False,
            dtype: str | None = None, report: RunReport | None = None,
            vocab: Vocabulary | None = None, max_work: int | None = None,
            max_memory: int | None = None, track_nodes: bool = False) -> Run:
    """Run a spec and return the :class:`Run` (raises :class:`StepError` in replay mode).

    ``track_nodes`` records in ``Run.made_at`` the statement that made each graph node.

    With a ``report``, results are recorded in it and undeclared failures stop the run
    (recorded as ``report.error``) instead of raising. ``max_work`` (elements computed in
    total) and ``max_memory`` (bytes the run may add) stop a run as ``invalid_argument``.
    """
    run = Run(spec, vocab or default_vocabulary(), replay=replay, overrides=overrides)
    run.set_budget(max_work, max_memory)
    if track_nodes:
        run.made_at = {}
    with _engine_state(spec, max_elements, dtype):
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
            report.error = ErrorInfo(kind, f.message, f.step, f.line, f.column)
        if report is not None:
            report.tensors = _tensor_infos(run)
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
            result.error = ErrorInfo(f.kind, f.message, f.step, f.line, f.column)
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
        with run.eng.grad_mode.no_grad():
            _run_steps(run, step.children, report, result)
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


# -- expectations ------------------------------------------------------------------------------
def compare_expectation(expr: Expr, got: Any, wanted: Any, step: Step, eng: Any = None) -> \
        Expectation:
    """Check one ``EXPR: WANTED`` (see the contract) and describe the outcome."""
    import numpy as np

    eng = eng or _engine()
    exp = Expectation(step.index, expr.text, False, "", expr.line, expr.column, wanted=wanted,
                      got=got)
    shown = _short_repr(got)
    if wanted is None:
        exp.ok = got is None
        exp.message = "is None" if exp.ok else f"wanted None, got {shown}"
        return exp
    if isinstance(wanted, str):
        name = _name_of(got, eng)
        exp.ok = name is not None and (name == wanted or name == wanted.removeprefix("torch."))
        exp.message = f"is {wanted}" if exp.ok else f"wanted {wanted}, got {shown}"
        return exp
    if got is None:
        exp.message = f"wanted {_short_repr(wanted)}, got None"
        return exp
    if isinstance(wanted, bool) and not isinstance(got, eng.Tensor):
        if not isinstance(got, bool | int | float | np.bool_):
            exp.message = f"wanted {wanted}, got {shown}"
            return exp
        exp.ok = bool(got == wanted)
        exp.message = f"is {wanted}" if exp.ok else f"wanted {wanted}, got {shown}"
        return exp
    try:
        g = np.asarray(got._data if isinstance(got, eng.Tensor) else got)
        w = np.asarray(wanted)
        if g.dtype == object or w.dtype == object or g.dtype.kind not in "biuf":
            exp.message = f"wanted {_short_repr(wanted)}, got {shown} (not numeric)"
            return exp
        g = g.astype(np.float64)
        w = w.astype(np.float64)
        try:
            w = np.broadcast_to(w, g.shape)
        except ValueError:
            exp.message = (f"shape mismatch: wanted shape {list(np.shape(wanted))}, got "
                           f"{list(g.shape)}: {shown}")
            return exp
        with np.errstate(all="ignore"):
            diff = np.abs(g - w)
            close = np.isclose(g, w, rtol=step.rtol, atol=step.atol, equal_nan=True)
        finite = diff[~np.isnan(diff)]
        exp.max_diff = float(finite.max()) if finite.size else (0.0 if close.all() else math.nan)
        exp.ok = bool(close.all())
    except (TypeError, ValueError, OverflowError) as exc:
        exp.message = f"cannot compare with {_short_repr(wanted)}: {exc}"
        return exp
    if exp.ok:
        exp.message = f"matches {_short_repr(wanted, 80)}"
    else:
        exp.message = (f"wanted {_short_repr(wanted)}, got {shown}; largest difference "
                       f"{exp.max_diff:.6g} (atol {step.atol:g}, rtol {step.rtol:g})")
    return exp


def _name_of(value: Any, eng: Any) -> str | None:
    if isinstance(value, eng.Node):
        return str(value.name())
    if isinstance(value, eng.dtype_cls):
        return str(value.name)
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return None
    return None


def _short_repr(value: Any, limit: int = 300) -> str:
    text = repr(value) if not isinstance(value, str) else value
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# -- graphs ------------------------------------------------------------------------------------
def build_graph(value: Any, run: Run) -> Any:
    """A snapshot of the grad_fn graph of a value (tensor or node), taken now: backward frees
    saved tensors later, so a ``graph`` step must not wait for rendering."""
    from adcli.view.snapshot import names_for_run, snapshot_from_tensor

    return snapshot_from_tensor(value, names_for_run(run), max_nodes=MAX_GRAPH_NODES)


def _tensor_infos(run: Run) -> dict[str, TensorInfo]:
    T = run.eng.Tensor
    out: dict[str, TensorInfo] = {}
    for name, value in run.namespace.items():
        if not isinstance(value, T):
            continue
        grad = value.grad
        out[name] = TensorInfo(
            name=name, shape=list(value.shape), dtype=value.dtype.name,
            requires_grad=bool(value.requires_grad), is_leaf=bool(value.is_leaf),
            grad_fn=None if value.grad_fn is None else str(value.grad_fn.name()),
            value=value._data, grad=None if grad is None else grad._data,
            # only the leaves table shows a repr (and reprs of big tensors are costly)
            grad_repr=None if grad is None or not value.is_leaf else repr(grad))
    return out


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
            from adcli.view.snapshot import graph_of_run

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
