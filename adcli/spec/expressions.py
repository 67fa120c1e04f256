"""Evaluating checked expressions: names, ops, operators, attributes, calls and the builtins.

:class:`ExpressionsMixin` is a part of :class:`~adcli.spec.interpreter.Run`. Python values
stay small (``check_python``), tensors produced by ops are charged to the run's budget, and a
call reaches only what the checker resolved (ops, builtins, spec functions, package objects).
"""

from __future__ import annotations

import ast
import builtins as _py
import functools
import math
import operator
import types
from collections.abc import Callable, Iterator
from itertools import islice
from typing import Any

from .budget import MAX_INT_BITS, MAX_SEQUENCE, LimitError, RefusedError
from .classes import CTX_METHODS
from .lang_extra import GROUPS
from .language import PY_METHODS, OpRef
from .objects import is_package_callable, is_package_object
from .values import _GROUP_ATTRS, TYPE_ATTRS, BoundMethod

MAX_OUTPUT_CHARS = 2_000_000

# PyTorch's UserWarning, word for word (a spec run shows it on the step that read .grad).
NONLEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
    "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. "
    "If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor "
    "instead. See github.com/pytorch/pytorch/pull/30531 for more information.")

BINOP: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
    ast.Pow: operator.pow, ast.MatMult: operator.matmul, ast.BitAnd: operator.and_,
    ast.BitOr: operator.or_, ast.BitXor: operator.xor, ast.LShift: operator.lshift,
    ast.RShift: operator.rshift,
}
INPLACE: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.iadd, ast.Sub: operator.isub, ast.Mult: operator.imul,
    ast.Div: operator.itruediv, ast.FloorDiv: operator.ifloordiv, ast.Mod: operator.imod,
    ast.Pow: operator.ipow, ast.MatMult: operator.imatmul, ast.BitAnd: operator.iand,
    ast.BitOr: operator.ior, ast.BitXor: operator.ixor, ast.LShift: operator.ilshift,
    ast.RShift: operator.irshift,
}
_CMP: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge, ast.Is: operator.is_, ast.IsNot: operator.is_not,
}
_UNOP: dict[type, Callable[[Any], Any]] = {
    ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Invert: operator.invert,
    ast.Not: operator.not_,
}
_SUBSCRIPTABLE = (list, tuple, str, dict, range)
# Iterators a spec can hold (from zip, enumerate, reversed, dict views, module.parameters()).
_ITERATORS = (types.GeneratorType, range, type({}.items()), type({}.keys()), type({}.values()))


def _named_field(obj: tuple[Any, ...], attr: str) -> bool:
    """A field of a named result (``torch.linalg.slogdet(a).logabsdet``, ``unpack_dual``'s
    ``tangent``): a namedtuple's ``_fields``, or a field of torch's ``torch.return_types``."""
    if attr.startswith("_"):
        return False
    fields = getattr(type(obj), "_fields", None)
    if isinstance(fields, tuple):
        return attr in fields
    if type(obj).__module__ == "torch.return_types":
        return attr not in ("n_fields", "n_sequence_fields", "n_unnamed_fields") \
            and hasattr(obj, attr) and not callable(getattr(obj, attr))
    return False


NODE_HOOKS = frozenset({"register_hook", "register_prehook"})
"""A grad_fn node's hook methods a spec may call (torch.autograd.graph.Node's)."""


def _is_hook_handle(obj: Any) -> bool:
    """A hook's handle (adcli's, or torch's RemovableHandle): ``handle.remove()``."""
    kind = type(obj)
    owner = (getattr(kind, "__module__", "") or "").split(".")[0]
    return owner in ("adcli", "torch") and kind.__name__ in ("_HookHandle", "RemovableHandle")


def _is_builtin_iterator(value: Any) -> bool:
    return type(value).__module__ == "builtins" and hasattr(value, "__next__")


class ExpressionsMixin:
    """Run's expression evaluation (``Run`` provides the state and the other mixins)."""

    eng: Any
    vocab: Any
    tables: dict[str, Any]
    outputs: list[str] | None
    warnings: list[Any] | None
    output_chars: int
    step: int | None
    line: int
    column: int
    roots: tuple[str, ...]
    object_types: dict[type, type]

    # provided by the other parts of Run
    charge: Callable[[Any], Any]
    charge_items: Callable[[int], None]
    check_python: Callable[[Any], None]
    tick: Callable[[], None]
    lookup: Callable[[str], Any]
    comprehension: Callable[[Any], Any]
    make_lambda: Callable[[ast.Lambda], Any]
    is_ctx: Callable[[Any], bool]
    is_spec_class: Callable[[Any], bool]
    ctx_get: Callable[[Any, str], Any]
    ctx_call: Callable[[Any, str, list[Any], dict[str, Any]], Any]
    call_value: Callable[[Any, list[Any], dict[str, Any]], Any]
    eval_args: Callable[[list[ast.expr]], list[Any]]
    eval_kwargs: Callable[[list[ast.keyword], str], dict[str, Any]]
    named_expr: Callable[[ast.NamedExpr], Any]
    extra_value: Callable[[Any], Any]
    new_exception: Callable[..., BaseException]
    _isinstance: Callable[[Any, Any], bool]
    _issubclass: Callable[[Any, Any], bool]
    extra_builtins: Callable[[], dict[str, Callable[..., Any]]]
    check_percent_format: Callable[[str], None]
    check_brace_format: Callable[[str], None]
    type_attr: Callable[[Any, str], Any]
    class_member: Callable[[Any, str], Any]
    member_value: Callable[[Any], Any]
    dict_display: Callable[[list[Any], list[Any]], dict[Any, Any]]

    def eval_node(self, node: ast.expr) -> Any:
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            return self.lookup(node.id)
        if isinstance(node, OpRef):
            return self.op_value(node)
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
            if isinstance(obj, (self.eng.Tensor, *_SUBSCRIPTABLE)) or \
                    self.is_object(obj):
                return self.charge(obj[index])
            raise RefusedError(f"'{type(obj).__name__}' object is not subscriptable", TypeError)
        if isinstance(node, ast.Tuple):
            return tuple(self.eval_args(node.elts))
        if isinstance(node, ast.List):
            return self.eval_args(node.elts)
        if isinstance(node, ast.NamedExpr):
            return self.named_expr(node)
        if isinstance(node, ast.JoinedStr):
            return self.fstring(node)
        if isinstance(node, ast.IfExp):
            test = self.truth(self.eval_node(node.test))
            return self.eval_node(node.body if test else node.orelse)
        if isinstance(node, ast.Dict):
            return self.dict_display(node.keys, node.values)
        if isinstance(node, ast.Set):
            return set(self.eval_args(node.elts))  # ({*a, *b} spread as Python does)
        if isinstance(node, ast.Lambda):
            return self.make_lambda(node)
        if isinstance(node, ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp):
            return self.comprehension(node)
        raise RefusedError(f"{type(node).__name__} is not allowed")

    def op_value(self, ref: OpRef) -> Any:
        if ref.namespace in ("exceptions", "pytype", "unbound"):
            return self.extra_value(ref)
        if ref.namespace == "member":
            return self.member_value(ref)
        if ref.namespace == "builtins":  # `key=len`: the run's bounded builtin, callable
            fn = self.tables["builtins"][ref.name]
            self.__dict__.setdefault("made_callables", {})[id(fn)] = fn
            return fn
        if ref.namespace == "math":
            return getattr(math, ref.name)
        if ref.namespace == "tensor_class":
            return self.eng.Tensor
        if ref.namespace == "package":
            obj = self.vocab.resolve_package(ref.name)
            if obj is None:
                raise RefusedError(f"unknown name '{ref.qualname}'")
            obj = self.eng.package(ref.name, obj)
            # a whitelisted name may be called even where its function is defined outside
            # the package's modules (torch.linalg.det is the engine's linalg_api.det)
            self.__dict__.setdefault("made_callables", {})[id(obj)] = obj
            return obj
        return self.tables[ref.namespace][ref.name]

    def eval_slice(self, node: ast.expr) -> Any:
        if isinstance(node, ast.Slice):
            parts = [None if p is None else self.eval_node(p) for p in (node.lower, node.upper,
                                                                    node.step)]
            return slice(*parts)
        if isinstance(node, ast.Tuple):
            return tuple(self.eval_slice(e) for e in node.elts)
        return self.eval_node(node)

    def truth(self, value: Any) -> bool:
        # A tensor follows torch: one element, or "Boolean value of Tensor with more than one
        # value is ambiguous" (the engine's __bool__ says it in torch's words).
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
        elif self.is_ctx(obj):  # (before Node: adcli's ctx is the node)
            return self.ctx_get(obj, attr)
        elif isinstance(obj, e.Node):
            if attr == "next_functions":
                return obj.next_functions
        elif isinstance(obj, e.dtype_cls):
            if attr == "is_floating_point":
                return obj.is_floating_point
        elif isinstance(obj, tuple):
            if (attr in ("values", "indices") and hasattr(obj, attr)) or _named_field(obj, attr):
                return getattr(obj, attr)
        elif self.is_object(obj) and self.object_member(obj, attr) and hasattr(obj, attr):
            return getattr(obj, attr)
        elif self.is_spec_class(obj) and attr == "apply":
            return self.note_made(obj.apply)  # `linear = LinearFunction.apply`, callable later
        elif isinstance(obj, BaseException) and (attr == "args" or (
                attr in _GROUP_ATTRS and isinstance(obj, GROUPS))):
            return getattr(obj, attr)  # `except RuntimeError as e: e.args[0]`, eg.exceptions
        if attr in TYPE_ATTRS:
            return self.type_attr(obj, attr)
        member = self.class_member(obj, attr)
        if member is not None:
            return member
        method = self.find_method(obj, attr)
        if method is not None:  # `f = x.tanh`: the method the whitelist lets obj.attr() call
            return BoundMethod(self, obj, attr, method)
        raise RefusedError(f"'{type(obj).__name__}' object has no attribute '{attr}'",
                           AttributeError)

    def call(self, node: ast.Call) -> Any:
        func = node.func
        fn: Any = None
        if not isinstance(func, OpRef | ast.Attribute):
            fn = self.eval_node(func)  # a spec function, a module, ...: Python's order
        args = self.eval_args(node.args)
        kwargs = self.eval_kwargs(node.keywords, "function") if node.keywords else {}
        if isinstance(func, OpRef):
            if func.namespace == "builtins":
                return self.builtin(func.name)(*args, **kwargs)
            if func.namespace == "exceptions":
                return self.new_exception(self.extra_value(func), args, kwargs)
            result = self.call_value(self.op_value(func), args, kwargs)
            if func.namespace == "package":
                self.note_made(result)
            return result
        if fn is not None:
            return self.call_value(fn, args, kwargs)
        assert isinstance(func, ast.Attribute)
        obj = self.eval_node(func.value)
        return self.call_method(obj, func.attr, args, kwargs)

    def call_method(self, obj: Any, name: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        method = self.find_method(obj, name)
        if method is not None:
            return method(*args, **kwargs)
        if self.is_ctx(obj):  # (its own messages: a spec's value is not a method)
            return self.ctx_call(obj, name, args, kwargs)
        raise RefusedError(f"'{type(obj).__name__}' object has no method '{name}'",
                           AttributeError)

    def find_method(self, obj: Any, name: str) -> Callable[..., Any] | None:
        """The callable ``obj.NAME(...)`` runs, as the whitelist allows it (None: a spec
        may not call that method on that object). ``f = x.tanh`` holds the same callable."""
        e = self.eng
        if isinstance(obj, e.Tensor) and self.vocab.has_method(name) and name in \
                self.vocab.tensor_methods:
            if name == "tolist":
                return functools.partial(self._tolist, obj)
            return getattr(obj, name)  # type: ignore[no-any-return]
        if isinstance(obj, e.Node) and name == "name":
            # torch's C++ nodes say torch::autograd::CopySlices; both engines show the class
            return lambda *a, **k: str(obj.name(*a, **k)).removeprefix("torch::autograd::")
        if isinstance(obj, e.Node) and name in NODE_HOOKS:
            return getattr(obj, name)  # type: ignore[no-any-return]  # torch's signatures
        if name == "remove" and _is_hook_handle(obj):
            return obj.remove  # type: ignore[no-any-return]
        if isinstance(obj, e.Size) and name == "numel":
            return obj.numel  # type: ignore[no-any-return]
        for kind, names in PY_METHODS.items():
            if type(obj) is kind and name in names:
                return lambda *a, **k: self.py_method(obj, name, list(a), k)
        if self.is_object(obj) and self.object_member(obj, name):
            method = getattr(obj, name, None)
            if method is not None and callable(method):
                return lambda *a, **k: self.note_made(method(*a, **k))
        if self.is_ctx(obj) and name in CTX_METHODS:
            return getattr(obj, name)  # type: ignore[no-any-return]
        if self.is_spec_class(obj) and name == "apply":
            return obj.apply  # type: ignore[no-any-return]
        return None

    def _tolist(self, obj: Any, *args: Any, **kwargs: Any) -> Any:
        if self.eng.numel(obj) > MAX_SEQUENCE:
            raise LimitError(f"tensor too large for tolist() (more than "
                             f"{MAX_SEQUENCE:,} elements)")
        return obj.tolist(*args, **kwargs)

    def is_object(self, obj: Any) -> bool:
        """A package object (``nn.Linear(3, 2)``, an optimizer), or an object of the engine's
        own classes that mirror adcli's (torch's ``Generator`` and ``device``, which live in
        ``torch._C`` on the torch engine, outside the package namespaces)."""
        return is_package_object(obj, self.roots) or type(obj) in self.object_types

    def object_member(self, obj: Any, name: str) -> bool:
        """Whether a spec may use ``obj.NAME``: a public name, and on an engine class's object
        one its adcli counterpart has too (torch's Generator reaches no more than adcli's)."""
        if name.startswith("_"):
            return False
        twin = self.object_types.get(type(obj))
        return twin is None or hasattr(twin, name)

    def note_made(self, result: Any) -> Any:
        """Remember the functions a package call returned (``torch.func.grad(f)``, the
        ``vjp_fn`` of ``torch.func.vjp``): adcli's (or torch's) code made them from
        whitelisted values, so a spec may call them. Nothing else becomes callable."""
        made = self.__dict__.setdefault("made_callables", {})
        for value in (result, *result) if isinstance(result, tuple | list) and \
                len(result) <= 8 else (result,):
            if isinstance(value, types.FunctionType | types.MethodType | functools.partial):
                made[id(value)] = value  # kept alive: an id is never reused meanwhile
        return result

    def py_method(self, obj: Any, name: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        """A list/dict/tuple/set/str method; growth is bounded like any Python value."""
        if name in ("extend", "update") and args:
            grow = args[0]
            if not isinstance(grow, list | tuple | dict | set | str | range):
                grow = self._seq(list)(grow)
            if len(obj) + len(grow) > MAX_SEQUENCE:
                raise LimitError(f"sequence too long (more than {MAX_SEQUENCE:,} items)")
            args = [grow, *args[1:]]
        if name in ("append", "insert", "add", "setdefault") and len(obj) >= MAX_SEQUENCE:
            raise LimitError(f"sequence too long (more than {MAX_SEQUENCE:,} items)")
        if name in ("join", "union") and args:
            args = [self._seq(list)(args[0]), *args[1:]]  # (a generator: bounded first)
        if name == "format" and isinstance(obj, str):
            self.check_brace_format(obj)
        if name == "replace" and len(args) >= 2 and isinstance(args[0], str) and \
                isinstance(args[1], str):
            # the result is built before check_python sees it: bound it in advance
            hits = obj.count(args[0]) if args[0] else len(obj) + 1
            if len(obj) + hits * len(args[1]) > MAX_SEQUENCE:
                raise LimitError(f"sequence too long (more than {MAX_SEQUENCE:,} items)")
        if "key" in kwargs:
            kwargs = {**kwargs, "key": self.checked_key(kwargs["key"])}
        result = getattr(obj, name)(*args, **kwargs)
        self.check_python(result)
        if isinstance(obj, list | dict | set):
            self.charge_items(len(obj) if name in ("extend", "update", "copy") else 0)
        return result

    def callable_ok(self, fn: Any) -> bool:
        """Whether a value may be called: ops, builtins and package names were resolved by
        the checker, spec functions are bounded, package objects/methods are the engine's
        counterparts of adcli's whitelisted names."""
        if fn is self.eng.Tensor:
            return True
        if isinstance(fn, type) and issubclass(fn, type):
            return False  # a metaclass (``type(Cls)``) would make classes
        if is_package_callable(fn, self.roots):
            return True
        if id(fn) in self.__dict__.get("made_callables", {}):
            return True
        if isinstance(fn, BoundMethod):
            return fn.run is self
        return id(fn) in self.op_ids

    # -- Python values: arithmetic that can neither hang nor exhaust memory ------------------
    def binop(self, op: type, a: Any, b: Any) -> Any:
        # Before the tensor dispatch: str.__mod__ runs first even when b is a tensor
        # ('%999999999s' % x would build a gigabyte string): widths are checked first.
        if op is ast.Mod and isinstance(a, str):
            self.check_percent_format(a)
            text = a % b
            self.check_python(text)
            self.charge_items(len(text))
            return text
        T = self.eng.Tensor
        if isinstance(a, T) or isinstance(b, T):
            return BINOP[op](a, b)
        self.check_python(a)
        self.check_python(b)
        seq = (str, list, tuple)
        if (op is ast.Pow and isinstance(a, int) and isinstance(b, int) and b > 0
                and abs(a) > 1 and b * a.bit_length() > MAX_INT_BITS + 64):
            raise LimitError(f"integer too large (more than {MAX_INT_BITS} bits)")
        if (op is ast.LShift and isinstance(a, int) and a and isinstance(b, int)
                and b > MAX_INT_BITS + 64):
            # a Python int shifts without bound (1 << 10**12 is a terabyte): refused before
            raise LimitError(f"integer too large (more than {MAX_INT_BITS} bits)")
        if op is ast.Mult:
            if isinstance(a, int) and isinstance(b, seq):
                a, b = b, a
            if isinstance(a, seq) and isinstance(b, int) and b > 0 and len(a) * b > MAX_SEQUENCE:
                raise LimitError(f"sequence too long (more than {MAX_SEQUENCE:,} items)")
            if (isinstance(a, int) and isinstance(b, int)
                    and a.bit_length() + b.bit_length() > MAX_INT_BITS + 64):
                raise LimitError(f"integer too large (more than {MAX_INT_BITS} bits)")
        if (op is ast.Add and isinstance(a, seq) and isinstance(b, seq)
                and len(a) + len(b) > MAX_SEQUENCE):
            raise LimitError(f"sequence too long (more than {MAX_SEQUENCE:,} items)")
        result = BINOP[op](a, b)
        self.check_python(result)
        if isinstance(result, seq):
            self.charge_items(len(result))
        return result

    def compare(self, op: type, a: Any, b: Any) -> Any:
        if op in (ast.In, ast.NotIn):
            if not isinstance(b, list | tuple | str | dict | set | range):
                raise RefusedError(f"'in' needs a list, tuple, dict, set or string, not "
                                   f"{type(b).__name__}")
            found = a in b
            return found if op is ast.In else not found
        return _CMP[op](a, b)

    # -- builtins ----------------------------------------------------------------------------
    def builtin(self, name: str) -> Callable[..., Any]:
        table: dict[str, Callable[..., Any]] = self.tables["builtins"]
        return table[name]

    def make_builtins(self) -> dict[str, Callable[..., Any]]:
        return {
            "print": self._print, "len": len, "float": float, "int": self._int,
            "bool": self.truth, "str": self._str, "round": round, "abs": abs,
            "list": self._seq(list), "tuple": self._seq(tuple), "set": self._seq(set),
            "dict": self._dict, "sorted": self._sorted, "range": range, "zip": self._zip,
            "enumerate": self._enumerate, "reversed": self._reversed,
            "any": self._reduce(_py.any), "all": self._reduce(_py.all),
            "sum": self._dual("sum", _py.sum), "min": self._dual("min", _py.min),
            "max": self._dual("max", _py.max), "isinstance": self._isinstance,
            "issubclass": self._issubclass, "repr": self._repr, **self.extra_builtins(),
        }

    def _print(self, *args: Any, sep: Any = " ", end: Any = "\n", flush: bool = False) -> None:
        if not isinstance(sep, str | None) or not isinstance(end, str | None):
            raise RefusedError("print(): sep and end must be strings")
        text = (" " if sep is None else sep).join(self._str(a) for a in args)
        text += "\n" if end is None else end
        self.emit(text.removesuffix("\n"))

    def warn(self, message: str) -> None:
        """Note a warning PyTorch would give, once per statement position."""
        if self.warnings is None:
            return
        from .report import RunWarning

        w = RunWarning(self.step, self.line, self.column, message)
        if w not in self.warnings:
            self.warnings.append(w)

    def emit(self, text: str) -> None:
        if self.outputs is None:
            return
        self.output_chars += len(text)
        if self.output_chars > MAX_OUTPUT_CHARS:
            raise LimitError(f"too much output (more than {MAX_OUTPUT_CHARS:,} characters)")
        self.outputs.append(text)

    def _str(self, value: Any) -> str:
        self.check_python(value)
        return str(value)

    def _repr(self, value: Any) -> str:
        self.check_python(value)
        text = repr(value)
        self.check_python(text)
        return text

    def _int(self, *args: Any) -> int:
        result = int(*args)
        self.check_python(result)
        return result

    def items_of(self, value: Any) -> Iterator[Any]:
        """Iterate a value as Python's ``for`` would (tensors as torch does: along dim 0)."""
        if isinstance(value, (self.eng.Tensor, list, tuple, str, dict, set, *_ITERATORS)) \
                or _is_builtin_iterator(value) or self.is_object(value):
            return iter(value)
        raise RefusedError(f"'{type(value).__name__}' object is not iterable", TypeError)

    def _seq(self, kind: type) -> Callable[..., Any]:
        def make(value: Any = ()) -> Any:
            if isinstance(value, self.eng.Tensor) and value.ndim > 0 and len(value) > 100_000:
                raise LimitError("tensor too long to convert to a list")
            items = list(islice(self.items_of(value), MAX_SEQUENCE + 1))
            if len(items) > MAX_SEQUENCE:
                raise LimitError(f"sequence too long (more than {MAX_SEQUENCE:,} items)")
            self.charge_items(len(items))
            return kind(items)

        return make

    def _dict(self, value: Any = (), **kwargs: Any) -> dict[Any, Any]:
        pairs = value.items() if isinstance(value, dict) else self._seq(list)(value)
        out = dict(pairs, **kwargs)
        self.check_python(out)
        return out

    def _sorted(self, value: Any, *, key: Any = None, reverse: bool = False) -> list[Any]:
        return sorted(self._seq(list)(value), key=self.checked_key(key), reverse=bool(reverse))

    def checked_key(self, key: Any) -> Any:
        """A ``key=`` function, called through the whitelist as a spec's own call is."""
        if key is None:
            return None
        return lambda v: self.call_value(key, [v], {})

    def _zip(self, *values: Any, strict: bool = False) -> Any:
        return zip(*(self.items_of(v) for v in values), strict=bool(strict))

    def _enumerate(self, value: Any, start: int = 0) -> Any:
        return enumerate(self.items_of(value), start)

    def _reversed(self, value: Any) -> Any:
        if isinstance(value, list | tuple | str | range):
            return reversed(value)
        return reversed(self._seq(list)(value))

    def _reduce(self, fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
        def reduce(value: Any) -> Any:
            if isinstance(value, self.eng.Tensor):
                return getattr(value, fn.__name__)()
            return fn(self.truth(v) for v in self._seq(list)(value))

        return reduce

    def _dual(self, name: str, py: Callable[..., Any]) -> Callable[..., Any]:
        """``sum``/``min``/``max``: torch's op on a tensor, Python's builtin otherwise."""
        def call(*args: Any, **kwargs: Any) -> Any:
            if args and isinstance(args[0], self.eng.Tensor):
                return self.tables["torch"][name](*args, **kwargs)
            if len(args) == 1:
                args = (self._seq(list)(args[0]),)
            if "key" in kwargs:
                kwargs = {**kwargs, "key": self.checked_key(kwargs["key"])}
            result = py(*args, **kwargs)
            self.check_python(result)
            return result

        return call
