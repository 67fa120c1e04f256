"""Values pasted code passes around: bound methods, ``type(x)``, class members, ``map``.

:class:`ValuesMixin` is a part of :class:`~adcli.spec.interpreter.Run`:

- ``f = x.tanh``, ``fns = [x.sin, x.cos]``, ``step = opt.step``: a :class:`BoundMethod` holds
  the callable ``x.tanh(...)`` would run, found by the same whitelist (``find_method``), so
  holding a method allows no call the spec could not write directly.
- ``type(x)`` is the real class (``type(x) is torch.Tensor``, ``type(m).__name__``); a spec
  function's type is Python's ``function``. A metaclass is never callable from a spec.
- ``torch.nn.attention.SDPBackend.MATH`` and ``Backend.MATH`` on a held enum class: the
  members of a whitelisted enum (and their ``name``/``value``).
- ``map`` and ``filter``: lazy, each item charged to the tick budget, every call through
  ``call_value`` (the whitelist).
"""

from __future__ import annotations

import re
import string
import types
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from .budget import MAX_SEQUENCE, LimitError, RefusedError

# One '%' conversion: (mapping key) flags width .precision length type.
_PERCENT = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d*))?[hlL]?(.)?", re.S)
MAX_WIDTH = 999

TYPE_ATTRS = frozenset({"__name__", "__qualname__", "__class__"})
"""The dunder attributes a spec may read: a class's or function's name, a value's class."""
_GROUP_ATTRS = ("exceptions", "message")
"""An ExceptionGroup's attributes (``except* ValueError as eg: eg.exceptions``)."""
ENUM_ATTRS = frozenset({"name", "value"})


class BoundMethod:
    """``x.tanh`` held as a value: calling it is ``x.tanh(...)`` through the spec's rules."""

    __slots__ = ("fn", "name", "obj", "run")

    def __init__(self, run: Any, obj: Any, name: str, fn: Callable[..., Any]) -> None:
        self.run, self.obj, self.name, self.fn = run, obj, name, fn

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.fn(*args, **kwargs)

    def __eq__(self, other: object) -> bool:
        # Python's bound methods: equal when they bind the same object's same method
        return isinstance(other, BoundMethod) and other.obj is self.obj and \
            other.name == self.name

    def __hash__(self) -> int:
        return hash((id(self.obj), self.name))

    def __repr__(self) -> str:
        return f"<bound method {type(self.obj).__name__}.{self.name}>"


class ValuesMixin:
    """Run's bound methods, ``type``, class members and ``map``/``filter``."""

    eng: Any
    roots: tuple[str, ...]

    call_value: Callable[[Any, list[Any], dict[str, Any]], Any]
    callable_ok: Callable[[Any], bool]
    items_of: Callable[[Any], Iterator[Any]]
    truth: Callable[[Any], bool]
    tick: Callable[[], None]
    check_python: Callable[[Any], None]
    charge_items: Callable[[int], None]

    def _type(self, obj: Any, *more: Any) -> type:
        """``type(x)``: Python's one-argument form (the three-argument form makes a class)."""
        if more:
            raise RefusedError("type() with three arguments (making a class) is not allowed "
                               "in a spec", TypeError)
        from .extras import UnboundMethod
        from .functions import SpecFunction

        if isinstance(obj, SpecFunction):
            return types.FunctionType
        if isinstance(obj, BoundMethod):
            return type(getattr(obj.obj, obj.name, obj.fn))
        if isinstance(obj, UnboundMethod):
            return type(getattr(obj.owner, obj.name, None))
        return type(obj)

    def type_attr(self, obj: Any, attr: str) -> Any:
        """``x.__class__``, and ``__name__``/``__qualname__`` of a class or function."""
        if attr == "__class__":
            return self._type(obj)
        from .extras import UnboundMethod
        from .functions import SpecFunction

        if isinstance(obj, SpecFunction | BoundMethod | UnboundMethod):
            return obj.name
        if isinstance(obj, type) or (callable(obj) and self.callable_ok(obj)
                                     and isinstance(getattr(obj, attr, None), str)):
            return getattr(obj, attr)
        raise RefusedError(f"'{type(obj).__name__}' object has no attribute '{attr}'",
                           AttributeError)

    def class_member(self, obj: Any, attr: str) -> Any:
        """A member of a whitelisted enum class (``SDPBackend.MATH``), a member's ``name`` /
        ``value``; None: neither."""
        members = self.enum_members(obj)
        if members is not None and attr in members:
            return self.note_member(members[attr])
        if attr in ENUM_ATTRS and id(obj) in self.__dict__.get("members_seen", {}):
            return getattr(obj, attr)
        return None

    def enum_members(self, cls: Any) -> Mapping[str, Any] | None:
        """The members of a package enum class (adcli's ``enum.Enum``, or torch's pybind enum
        the torch engine hands out for the same whitelisted name)."""
        if not isinstance(cls, type) or issubclass(cls, BaseException):
            return None
        owner = getattr(cls, "__module__", "") or ""
        whitelisted = any(owner == r or owner.startswith(r + ".") for r in self.roots) or \
            id(cls) in self.__dict__.get("made_callables", {})
        members = getattr(cls, "__members__", None) if whitelisted else None
        return members if isinstance(members, Mapping) else None

    def note_member(self, member: Any) -> Any:
        self.__dict__.setdefault("members_seen", {})[id(member)] = member
        return member

    def member_value(self, ref: Any) -> Any:
        """``torch.nn.attention.SDPBackend.MATH``: the checker let the name through as a
        possible member of the package class ``ref.owner``."""
        from .language import OpRef

        owner = self.op_value(OpRef("package", ref.owner, ref.owner))  # type: ignore[attr-defined]
        members = self.enum_members(owner)
        if members is None or ref.name not in members:
            raise RefusedError(f"unknown name '{ref.qualname}'", AttributeError)
        return self.note_member(members[ref.name])

    op_value: Callable[[Any], Any]

    # -- map and filter ----------------------------------------------------------------------
    def _map(self, fn: Any, *iterables: Any) -> Iterator[Any]:
        if not iterables:
            raise TypeError("map() must have at least two arguments.")
        sources = [self.items_of(v) for v in iterables]  # (not iterable: raises now, as Python)

        def items() -> Iterator[Any]:
            for args in zip(*sources):
                self.tick()
                yield self.call_value(fn, list(args), {})

        return items()

    def _filter(self, fn: Any, iterable: Any) -> Iterator[Any]:
        source = self.items_of(iterable)

        def items() -> Iterator[Any]:
            for item in source:
                self.tick()
                if self.truth(item if fn is None else self.call_value(fn, [item], {})):
                    yield item

        return items()

    # -- introspection builtins --------------------------------------------------------------
    def _getattr(self, obj: Any, name: Any, *default: Any) -> Any:
        """``getattr(obj, "weight")``: the attribute ``obj.weight`` reads, by the same rules."""
        if not isinstance(name, str):
            raise TypeError("attribute name must be string, not "
                            f"'{type(name).__name__}'")
        if len(default) > 1:
            raise TypeError(f"getattr expected at most 3 arguments, got {2 + len(default)}")
        try:
            if not name.isidentifier() or (name.startswith("_") and name not in TYPE_ATTRS
                                           and name not in self.vocab.tensor_attrs):
                raise RefusedError(f"'{type(obj).__name__}' object has no attribute "
                                   f"'{name}'", AttributeError)
            return self.get_attr(obj, name)
        except RefusedError as exc:
            if default and exc.py is AttributeError:
                return default[0]
            raise

    def _hasattr(self, obj: Any, name: Any) -> bool:
        try:
            self._getattr(obj, name)
        except RefusedError as exc:
            if exc.py is AttributeError:
                return False
            raise
        return True

    def _iter(self, value: Any) -> Iterator[Any]:
        return iter(self.items_of(value))

    def _next(self, it: Any, *default: Any) -> Any:
        if not hasattr(it, "__next__") or isinstance(it, self.eng.Tensor):
            raise TypeError(f"'{type(it).__name__}' object is not an iterator")
        self.tick()
        return next(it, *default)

    # -- string formatting, with the f-string's bounds -----------------------------------------
    def check_percent_format(self, fmt: str) -> None:
        """``'%5.3f' % x``: widths and precisions up to 999 and never ``*`` (Python builds
        the padded string before anything could measure it)."""
        for m in _PERCENT.finditer(fmt):
            for part in m.group(1, 2):
                if part == "*" or (part and int(part) > MAX_WIDTH):
                    raise LimitError(f"'%' formatting: widths and precisions go up to "
                                     f"{MAX_WIDTH} in a spec (and no '*')")

    def check_brace_format(self, fmt: str) -> None:
        """``'{:.4f} {}'.format(...)``: fields by position or name only (an attribute or item
        lookup inside a format string would bypass the whitelist), specs as an f-string's."""
        from .language import FORMAT_SPEC

        try:
            fields = list(string.Formatter().parse(fmt))
        except ValueError as exc:
            raise ValueError(str(exc)) from None
        for _, name, spec, _ in fields:
            if name is None:
                continue
            if not (name == "" or name.isdigit() or name.isidentifier()):
                raise RefusedError(f"format field '{{{name}}}': attribute and item lookups in "
                                   "a format string are not allowed in a spec; use an f-string")
            if spec and not FORMAT_SPEC.fullmatch(spec):
                raise LimitError("this format specification is not allowed in a spec "
                                 f"(widths and precisions up to {MAX_WIDTH})")

    def _format(self, value: Any, spec: Any = "") -> str:
        from .language import FORMAT_SPEC

        if isinstance(spec, str) and spec and not FORMAT_SPEC.fullmatch(spec):
            raise LimitError("this format specification is not allowed in a spec "
                             f"(widths and precisions up to {MAX_WIDTH})")
        return format(value, spec)

    def extra_builtins(self) -> dict[str, Callable[..., Any]]:
        """The builtins this room adds to the run's table."""
        return {"type": self._type, "map": self._map, "filter": self._filter,
                "getattr": self._getattr, "hasattr": self._hasattr, "iter": self._iter,
                "next": self._next, "callable": callable, "divmod": divmod, "slice": slice,
                "format": self._format}

    get_attr: Callable[[Any, str], Any]
    vocab: Any

    # -- displays ----------------------------------------------------------------------------
    def dict_display(self, keys: list[Any], values: list[Any]) -> dict[Any, Any]:
        """``{**d, 'k': v}``: keys and ``**`` mappings merged left to right, as Python does."""
        out: dict[Any, Any] = {}
        for k, v in zip(keys, values):
            if k is None:
                mapping = self.eval_node(v)
                if not isinstance(mapping, dict | Mapping):
                    raise TypeError(f"'{type(mapping).__name__}' object is not a mapping")
                if len(out) + len(mapping) > MAX_SEQUENCE:
                    raise LimitError(f"sequence too long (more than {MAX_SEQUENCE:,} items)")
                out.update(mapping)
                # a copied dict item costs a few list items' time (hashing, resizing): a
                # loop of `d = {**d, k: v}` is quadratic, stopped by the work budget
                self.charge_items(4 * len(mapping))
            else:
                key = self.eval_node(k)
                out[key] = self.eval_node(v)
        self.check_python(out)
        return out

    eval_node: Callable[[Any], Any]
