"""Running exceptions and the rest of Python's statements pasted code uses (see ``lang_extra``).

:class:`ExtrasMixin` is a part of :class:`~adcli.spec.interpreter.Run`: ``try``/``except``/
``else``/``finally``, ``raise``, ``del``, the walrus, star arguments, ``isinstance``/
``issubclass`` and unbound methods (``torch.Tensor.tanh``).

What a ``try`` catches is what the same code raises in Python: the engine's errors (torch's
classes: ``RuntimeError``, ``IndexError``, ...), Python's own (``ZeroDivisionError``,
``KeyError``), an ``assert``'s ``AssertionError`` and what the spec raised. The run's limits
(:class:`~adcli.spec.budget.LimitError`: statements, work, memory, call depth, huge values;
Python's ``RecursionError``/``MemoryError``; a gradient check's time limit) are never caught,
not even by a bare ``except``, and skip ``finally``: the run ends there as a bounded process
does. An exception a spec raised that no handler catches fails the step at the ``raise``,
``ClassName: message``.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

from .budget import LimitError, RefusedError
from .lang_extra import EXCEPTIONS, GROUPS, PY_TYPES, TRY_STAR
from .statements import Flow, Scope

SPEC_RAISED = "_adcli_spec_raised"
"""Set on an exception a spec raised: a spec error (invalid_argument), not an adcli bug."""


def root_cause(exc: BaseException) -> BaseException:
    """The exception a statement raised, under the StepErrors that located it on the way out
    (a spec function's body, a loop iteration)."""
    from .interpreter import StepError

    while isinstance(exc, StepError) and exc.original is not None:
        exc = exc.original
    return exc


def is_fatal(exc: BaseException) -> bool:
    """A limit that ends the run: never caught by a spec's ``except``, skips ``finally``."""
    root = root_cause(exc)
    if isinstance(root, LimitError | RecursionError | MemoryError) or \
            not isinstance(root, Exception):
        return True
    # a gradient check's --max-seconds (adcli.check's BudgetError, a layer above the spec's)
    return any(c.__name__ == "BudgetError" for c in type(root).__mro__)


class UnboundMethod:
    """``torch.Tensor.tanh`` or ``nn.Module.forward`` held as a value: calling it with the
    object first calls the method as ``obj.NAME(...)`` would, through the spec's rules."""

    __slots__ = ("name", "owner", "run")

    def __init__(self, run: Any, owner: type, name: str) -> None:
        self.run, self.owner, self.name = run, owner, name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        owner = self.owner.__name__
        if not args:
            raise TypeError(f"unbound method {owner}.{self.name}() needs an argument")
        obj = args[0]
        if not isinstance(obj, self.owner):
            raise TypeError(f"descriptor '{self.name}' for '{owner}' objects doesn't apply to "
                            f"a '{type(obj).__name__}' object")
        run = self.run
        if self.owner is run.eng.Tensor:
            return run.call_method(obj, self.name, list(args[1:]), kwargs)
        # the class's own function (nn.Module.forward on a Linear is Module's, as in Python)
        return run.note_made(getattr(self.owner, self.name)(*args, **kwargs))

    def __repr__(self) -> str:
        return f"<method '{self.name}' of '{self.owner.__name__}' objects>"


class ExtrasMixin:
    """Run's exceptions, ``del``, walrus and star arguments."""

    eng: Any
    scope: Scope
    handling: list[tuple[BaseException, BaseException]]

    eval_node: Callable[[ast.expr], Any]
    eval_slice: Callable[[ast.expr], Any]
    exec_block: Callable[[list[ast.stmt]], None]
    bind: Callable[..., None]
    items_of: Callable[[Any], Any]
    charge_items: Callable[[int], None]
    check_python: Callable[[Any], None]
    get_attr: Callable[[Any, str], Any]
    is_ctx: Callable[[Any], bool]
    is_object: Callable[[Any], bool]
    object_member: Callable[[Any, str], bool]
    call_method: Callable[..., Any]
    op_value: Callable[[Any], Any]
    note_made: Callable[[Any], Any]

    # -- try / except / else / finally -------------------------------------------------------
    def exec_try(self, node: Any) -> None:
        """``try``/``except``/``else``/``finally``; with ``except*`` clauses (Python 3.11's
        ``ast.TryStar``) each clause gets the part of the group it matches
        (:meth:`star_handlers`)."""
        fatal = False
        try:
            try:
                self.exec_block(node.body)
            except Flow:
                raise
            except Exception as exc:
                caught = self.catchable(exc)
                if caught is None:
                    raise
                if isinstance(node, TRY_STAR):
                    self.star_handlers(node.handlers, caught)
                else:
                    handler = self.match_handler(node.handlers, caught)
                    if handler is None:
                        raise
                    self.run_handler(handler, caught, root_cause(exc))
            else:
                self.exec_block(node.orelse)
        except BaseException as exc:
            fatal = not isinstance(exc, Flow) and is_fatal(exc)
            raise
        finally:
            if not fatal and node.finalbody:
                self.exec_block(node.finalbody)

    def star_handlers(self, handlers: list[ast.ExceptHandler], caught: BaseException) -> None:
        """Run the ``except*`` clauses on ``caught`` and raise what Python 3.11 raises after
        them: what the clauses raised and what none matched (re-raised by a bare ``raise``:
        kept in the original group's shape), one exception as itself, more as a group."""
        group = GROUPS[0]  # (TryStar exists only where ExceptionGroup does)
        naked = not isinstance(caught, GROUPS)
        rest: Any = caught
        raised: list[BaseException] = []
        kept: list[BaseException] = []
        for h in handlers:
            if rest is None:
                break
            classes = self.handler_classes(h)
            if any(issubclass(c, GROUPS) for c in classes):
                raise _spec_raised(TypeError("catching ExceptionGroup with except* is not "
                                             "allowed. Use except instead."))
            if isinstance(rest, GROUPS):
                match, rest = rest.split(classes)
            elif isinstance(rest, classes):  # a bare exception matches wrapped in a group
                match, rest = group("", [rest]), None
            else:
                match = None
            if match is None:
                continue
            self.__dict__["bare_reraise"] = None
            try:
                self.run_handler(h, _spec_raised(match), match)
            except Flow:
                raise
            except Exception as exc:
                inner = self.catchable(exc)
                if inner is None:
                    raise
                if inner is match and self.__dict__.get("bare_reraise") == id(match):
                    kept.append(match)
                else:
                    raised.append(inner)
        if naked:  # at most one clause ran
            out = raised or kept
            if out:
                raise out[0]
            if rest is not None:
                raise caught
            return
        keep_ids = {id(leaf) for g in (*kept, *([rest] if rest is not None else ()))
                    for leaf in _leaves(g)}
        keep = caught.split(lambda e: id(e) in keep_ids)[0] if keep_ids else None
        every = [*raised, *([keep] if keep is not None else [])]
        if len(every) == 1:
            raise _spec_raised(every[0])
        if every:
            raise _spec_raised(group("", every))

    def catchable(self, exc: BaseException) -> BaseException | None:
        """The exception a spec's ``except`` sees for ``exc`` (None: it cannot be caught: a
        limit, or an adcli bug that must reach the user as one)."""
        from .interpreter import StepError, _kind_of

        if is_fatal(exc):
            return None
        root = root_cause(exc)
        if isinstance(root, StepError):  # a failed assert
            text = root.message.removeprefix("assertion failed").removeprefix(": ")
            return _spec_raised(AssertionError(text) if text else AssertionError())
        if isinstance(root, RefusedError):
            return _spec_raised(root.py(str(root)))
        if not isinstance(exc, StepError) and _kind_of(root, self.eng) is None:
            return None  # (a StepError's was classified when it was made)
        return root

    def match_handler(self, handlers: list[ast.ExceptHandler],
                      caught: BaseException) -> ast.ExceptHandler | None:
        for h in handlers:
            if h.type is None:
                return h
            if isinstance(caught, self.handler_classes(h)):
                return h
        return None

    def handler_classes(self, h: ast.ExceptHandler) -> tuple[type[BaseException], ...]:
        """The classes an ``except`` clause names, checked as Python checks them."""
        self.line, self.column = getattr(h, "adcli_pos", (self.line, self.column))
        want = self.eval_node(h.type)  # type: ignore[arg-type]
        classes = want if isinstance(want, tuple) else (want,)
        for c in classes:
            if not (isinstance(c, type) and issubclass(c, BaseException)):
                raise _spec_raised(TypeError("catching classes that do not inherit from "
                                             "BaseException is not allowed"))
        return classes

    def run_handler(self, h: ast.ExceptHandler, caught: BaseException,
                    original: BaseException) -> None:
        self.handling.append((caught, original))
        try:
            if h.name is not None:
                self.bind(h.name, caught)
            try:
                self.exec_block(h.body)
            finally:
                if h.name is not None:  # Python deletes the name at the handler's end
                    self.scope.vars.pop(h.name, None)
        finally:
            self.handling.pop()

    def exec_raise(self, node: ast.Raise) -> None:
        if node.exc is None:
            if not self.handling:
                raise _spec_raised(RuntimeError("No active exception to reraise"))
            self.__dict__["bare_reraise"] = id(self.handling[-1][1])  # (except*: kept)
            raise self.handling[-1][1]
        value = self.eval_node(node.exc)
        if isinstance(value, type) and issubclass(value, BaseException):
            value = self.new_exception(value, [])
        if not isinstance(value, BaseException):
            raise _spec_raised(TypeError("exceptions must derive from BaseException"))
        if not isinstance(value, Exception):
            raise _spec_raised(TypeError(f"a spec cannot raise {type(value).__name__}: only "
                                         "Exception and its subclasses"))
        if node.cause is not None:
            cause = self.eval_node(node.cause)
            if isinstance(cause, type) and issubclass(cause, BaseException):
                cause = self.new_exception(cause, [])
            if cause is not None and not isinstance(cause, BaseException):
                raise _spec_raised(TypeError("exception causes must derive from "
                                             "BaseException"))
            value.__cause__ = cause
            value.__suppress_context__ = True
        if not any(value is c or value is o for c, o in self.handling):
            _spec_raised(value)  # (`raise e` of a caught engine error keeps its kind)
        raise value

    def new_exception(self, cls: type, args: list[Any],
                      kwargs: dict[str, Any] | None = None) -> BaseException:
        """``RuntimeError("message")``: an exception class called from a spec."""
        for a in args:
            self.check_python(a)
        exc = cls(*args, **(kwargs or {}))
        return _spec_raised(exc)

    # -- del ---------------------------------------------------------------------------------
    def exec_delete(self, node: ast.Delete) -> None:
        for t in node.targets:
            self.delete(t)

    def delete(self, target: ast.expr) -> None:
        if isinstance(target, ast.Tuple | ast.List):
            for e in target.elts:
                self.delete(e)
        elif isinstance(target, ast.Name):
            scope = self.declared_scope(target.id)
            if target.id not in scope.vars:
                raise RefusedError(f"name '{target.id}' is not defined", NameError)
            del scope.vars[target.id]
        elif isinstance(target, ast.Subscript):
            obj = self.eval_node(target.value)
            index = self.eval_slice(target.slice)
            if isinstance(obj, list | dict | self.eng.Tensor) or (
                    self.is_object(obj) and hasattr(type(obj), "__delitem__")):
                del obj[index]  # a tensor: torch's own error; nn.Sequential, ModuleDict: theirs
            else:
                raise RefusedError(f"'{type(obj).__name__}' object doesn't support item "
                                   "deletion", TypeError)
        elif isinstance(target, ast.Attribute):
            obj = self.eval_node(target.value)
            attr = target.attr
            if isinstance(obj, self.eng.Tensor) and attr == "grad":
                del obj.grad  # torch: the gradient becomes None
            elif self.is_ctx(obj) and attr in getattr(obj, "_adcli_spec_attrs", ()):
                delattr(obj, attr)
                obj._adcli_spec_attrs.discard(attr)
            elif self.is_object(obj) and self.object_member(obj, attr) and hasattr(obj, attr):
                delattr(obj, attr)  # a module's submodule or parameter (Module.__delattr__)
            else:
                raise RefusedError(f"cannot delete attribute '{attr}' of "
                                   f"{type(obj).__name__}", AttributeError)
        else:
            raise RefusedError("cannot delete this expression")

    def declared_scope(self, name: str) -> Scope:
        """Where ``name`` binds from here: the module's for a ``global`` name, the enclosing
        function's for a ``nonlocal`` one, else the current scope."""
        scope = self.scope
        decl = scope.decl.get(name) if scope.decl else None
        if decl == "global":
            while scope.parent is not None:
                scope = scope.parent
        elif decl == "nonlocal":
            scope = scope.parent  # type: ignore[assignment]
            while scope is not None and scope.parent is not None and \
                    name not in scope.vars and name not in scope.locals:
                scope = scope.parent  # type: ignore[assignment]
        return scope

    # -- the walrus and star arguments -------------------------------------------------------
    def named_expr(self, node: ast.NamedExpr) -> Any:
        value = self.eval_node(node.value)
        assert isinstance(node.target, ast.Name)
        scope = self.scope
        while scope.comp and scope.parent is not None:  # binds outside a comprehension
            scope = scope.parent
        self.bind(node.target.id, value, scope)
        return value

    def eval_args(self, nodes: list[ast.expr]) -> list[Any]:
        """Positional arguments and display items, ``*x`` spread as Python does."""
        out: list[Any] = []
        for a in nodes:
            if isinstance(a, ast.Starred):
                items = list(self.items_of(self.eval_node(a.value)))
                self.charge_items(len(items))
                out.extend(items)
                self.check_python(out)
            else:
                out.append(self.eval_node(a))
        return out

    def eval_kwargs(self, keywords: list[ast.keyword], fname: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k in keywords:
            if k.arg is not None:
                if k.arg in out:
                    raise TypeError(f"{fname} got multiple values for keyword argument "
                                    f"'{k.arg}'")
                out[k.arg] = self.eval_node(k.value)
                continue
            mapping = self.eval_node(k.value)
            if not isinstance(mapping, dict):
                raise TypeError(f"{fname} argument after ** must be a mapping, not "
                                f"{type(mapping).__name__}")
            for key, value in mapping.items():
                if not isinstance(key, str):
                    raise TypeError("keywords must be strings")
                if key.startswith("__"):  # (a spec names no dunder; not through ** either)
                    raise RefusedError("keyword argument names starting with '__' are not "
                                       "allowed in a spec", TypeError)
                if key in out:
                    raise TypeError(f"{fname} got multiple values for keyword argument "
                                    f"'{key}'")
                out[key] = value
        return out

    # -- isinstance, issubclass, values of classes -------------------------------------------
    def _isinstance(self, obj: Any, classes: Any) -> bool:
        _check_classes("isinstance", classes)
        return isinstance(obj, classes)

    def _issubclass(self, cls: Any, classes: Any) -> bool:
        if not isinstance(cls, type):
            raise TypeError("issubclass() arg 1 must be a class")
        _check_classes("issubclass", classes)
        return issubclass(cls, classes)

    def extra_value(self, ref: Any) -> Any:
        """The value of an OpRef this module resolves (None: not one of these)."""
        if ref.namespace == "exceptions":
            return EXCEPTIONS[ref.name]
        if ref.namespace == "pytype":
            return PY_TYPES[ref.name]
        if ref.namespace == "unbound":
            owner_name = getattr(ref, "owner", None)
            if owner_name is None:
                owner = self.eng.Tensor
            else:
                from .language import OpRef

                owner = self.op_value(OpRef("package", owner_name, owner_name))
            if not isinstance(owner, type) or not callable(getattr(owner, ref.name, None)):
                raise RefusedError(f"unknown name '{ref.qualname}'", AttributeError)
            return UnboundMethod(self, owner, ref.name)
        return None


def _check_classes(fname: str, classes: Any, depth: int = 0) -> None:
    ok = isinstance(classes, type) or (isinstance(classes, tuple) and depth < 50 and all(
        _check_classes(fname, c, depth + 1) is None for c in classes))
    if not ok:
        raise TypeError(f"{fname}() arg 2 must be a type, a tuple of types, or a union")


def _leaves(exc: BaseException, depth: int = 0) -> list[BaseException]:
    """The exceptions inside an exception group, nested groups opened (a group is bounded by
    the values a spec can build)."""
    if not isinstance(exc, GROUPS) or depth > 100:
        return [exc]
    return [leaf for e in exc.exceptions for leaf in _leaves(e, depth + 1)]  # type: ignore


def _spec_raised(exc: BaseException) -> BaseException:
    setattr(exc, SPEC_RAISED, True)  # (every exception has a __dict__)
    return exc
