"""``torch.jit`` as far as plain eager code needs it.

adcli runs Python eagerly and has no TorchScript compiler. The markers TorchScript code
carries (``is_scripting()``/``is_tracing()`` are False, ``@ignore``, ``@unused``, ``@export``,
``@interface``, ``Final``, ``annotate``, ``_overload_method``, ``script_if_tracing``,
``fork``/``wait``) behave as in eager torch, with its deprecation warnings. Compiling or
serialising TorchScript (``script``, ``trace``, ``save``, ``load``, ``freeze``, ...) raises one
clear ``NotImplementedError``: pretending to compile would accept code torch's compiler
rejects, and a saved archive could not be loaded by torch anyway.
"""

from __future__ import annotations

import ast
import functools
import inspect
import os
import textwrap
import warnings
from collections.abc import Callable
from typing import Any, Final, NamedTuple, TypeVar  # Final: torch.jit.Final is typing.Final

__all__ = ["Attribute", "Final", "Future", "ScriptFunction", "ScriptModule", "annotate",
           "export", "fork", "freeze", "ignore", "interface", "is_scripting", "is_tracing",
           "load", "optimize_for_inference", "save", "script", "script_if_tracing",
           "script_method", "trace", "trace_module", "unused", "wait"]

_T = TypeVar("_T")
_COMPILE = "Please switch to `torch.compile` or `torch.export`."
_EXPORT = "Please switch to `torch.export`."
_JIT_COMPILE = "Please use `torch.compile` instead."


class FunctionModifiers:
    """What ``@ignore``/``@unused``/``@export`` record on a function (torch's
    ``torch._jit_internal.FunctionModifiers``: plain strings)."""

    UNUSED = "unused (ignored and replaced with raising of an exception)"
    IGNORE = "ignore (leave as a call to Python, cannot be torch.jit.save'd)"
    EXPORT = "export (compile this function even if nothing calls it)"
    DEFAULT = "default (compile if called from an exported function / forward)"
    COPY_TO_SCRIPT_WRAPPER = ("if this method is not scripted, copy the python method onto "
                              "the scripted model")
    _DROP = "_drop (function is fully ignored, declaration can be unscriptable)"


def _deprecated(what: str, advice: str) -> None:
    warnings.warn(f"`torch.jit.{what}` is deprecated. {advice}", DeprecationWarning,
                  stacklevel=3)


def _refuse(what: str) -> NotImplementedError:
    return NotImplementedError(
        f"torch.jit.{what}: adcli runs code eagerly and has no TorchScript compiler; call the "
        "function or module itself instead (it runs as torch's eager mode does)")


def is_scripting() -> bool:
    """True only inside TorchScript, which adcli never runs."""
    return False


def is_tracing() -> bool:
    """True only while ``torch.jit.trace`` records, which adcli never does."""
    return False


def ignore(drop: Any = False, **kwargs: Any) -> Any:
    """``@torch.jit.ignore`` / ``@torch.jit.ignore(drop=...)``: marks the function, which
    eager code calls as it is."""
    if callable(drop):
        drop._torchscript_modifier = FunctionModifiers.IGNORE
        return drop
    if not isinstance(drop, bool):
        raise RuntimeError(f"Argument to @torch.jit.ignore must be a bool or a function but "
                           f"got {drop}")
    drop_on_export = kwargs.pop("drop_on_export", None)
    if drop_on_export or drop:
        kind = "drop_on_export=True" if drop_on_export else "True"
        warnings.warn(f"ignore({kind}) has been deprecated. TorchScript will now drop the "
                      "function call on compilation. Use torch.jit.unused now. {}",
                      FutureWarning, stacklevel=2)
        drop = bool(drop_on_export) or drop

    def decorator(fn: Any) -> Any:
        fn._torchscript_modifier = FunctionModifiers.UNUSED if drop else FunctionModifiers.IGNORE
        return fn

    return decorator


def unused(fn: _T) -> _T:
    """``@torch.jit.unused``: marks the function (or a property's accessors)."""
    if isinstance(fn, property):
        fn.fget._torchscript_modifier = FunctionModifiers.UNUSED  # type: ignore[union-attr]
        if fn.fset:
            fn.fset._torchscript_modifier = FunctionModifiers.UNUSED  # type: ignore[attr-defined]
        return fn
    fn._torchscript_modifier = FunctionModifiers.UNUSED  # type: ignore[attr-defined]
    return fn


def export(fn: _T) -> _T:
    """``@torch.jit.export``: marks a method for the compiler."""
    fn._torchscript_modifier = FunctionModifiers.EXPORT  # type: ignore[attr-defined]
    return fn


def interface(obj: _T) -> _T:
    """``@torch.jit.interface``: torch's checks, then the class as it is (eager code uses it
    as a plain class; only TorchScript would compile it)."""
    _deprecated("interface", _JIT_COMPILE)
    if not inspect.isclass(obj):
        raise RuntimeError("interface must be applied to a class")
    from adcli.nn import Module

    is_module_interface = issubclass(obj, Module) and len(obj.mro()) == 3
    if not is_module_interface and len(obj.mro()) > 2:
        raise RuntimeError("TorchScript interface does not support inheritance yet. Please "
                           "directly inherit from 'object' or 'nn.Module'.")
    return obj


def annotate(the_type: Any, the_value: _T) -> _T:
    """A type hint for TorchScript: returns ``the_value``."""
    return the_value


_OVERLOADS: dict[str, list[Callable[..., Any]]] = {}


def _overload_method(func: _T) -> _T:
    """Declares one overload of a method: its body must be ``pass`` or ``...`` (checked as
    torch does), and the declaration is recorded."""
    source = textwrap.dedent(inspect.getsource(func))  # type: ignore[arg-type]
    body = ast.parse(source).body[0].body  # type: ignore[attr-defined]
    if len(body) != 1 or not (isinstance(body[0], ast.Pass) or (
            isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
            and body[0].value.value is Ellipsis)):
        raise RuntimeError("Only `pass` statement or `...` can be the body of overload "
                           "declaration:\n" + "\n".join(source.split("\n")[:3]))
    _OVERLOADS.setdefault(func.__qualname__, []).append(func)  # type: ignore[attr-defined]
    return func


def script_if_tracing(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Scripts ``fn`` only while tracing: eager code calls ``fn`` itself (through torch's
    wrapper)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)

    return wrapper


class Future:
    """``torch.jit.fork``'s result in eager mode: the value is already there."""

    def __init__(self, value: Any) -> None:
        self._value = value

    def wait(self) -> Any:
        return self._value

    def value(self) -> Any:
        return self._value

    def done(self) -> bool:
        return True


def fork(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Future:
    """Runs ``func`` now (eager torch does too) and returns its Future."""
    _deprecated("fork", _JIT_COMPILE)
    return Future(func(*args, **kwargs))


def wait(future: Future) -> Any:
    _deprecated("wait", _JIT_COMPILE)
    return future.wait()


class Attribute(NamedTuple):
    """``torch.jit.Attribute(value, type)``: in eager code, the value with a type hint."""

    value: Any
    type: Any


def script(obj: Any, *args: Any, **kwargs: Any) -> Any:
    _deprecated("script", _COMPILE)
    raise _refuse("script")


def script_method(fn: Any) -> Any:
    _deprecated("script_method", _COMPILE)
    raise _refuse("script_method")


def trace(func: Any, *args: Any, **kwargs: Any) -> Any:
    _deprecated("trace", _COMPILE)
    raise _refuse("trace")


def trace_module(mod: Any, *args: Any, **kwargs: Any) -> Any:
    from adcli.nn import Module

    _deprecated("trace_method", _COMPILE)  # torch's own spelling
    if not isinstance(mod, Module):
        raise AttributeError("expected torch.nn.Module as the first argument")
    raise _refuse("trace_module")


def save(m: Any, f: Any, _extra_files: Any = None) -> None:
    """torch calls ``m.save(f)``: a plain module has no such method (torch's error); anything
    else is a ScriptModule adcli cannot have made."""
    _deprecated("save", _EXPORT)
    m.save  # noqa: B018 - torch's AttributeError for a plain module
    raise _refuse("save")


def load(f: Any, map_location: Any = None, _extra_files: Any = None,
         _restore_shapes: bool = False) -> Any:
    _deprecated("load", _EXPORT)
    if isinstance(f, str | os.PathLike) and not os.path.exists(f):
        raise ValueError(f"The provided filename {f} does not exist")
    if isinstance(f, str | os.PathLike) and os.path.isdir(f):
        raise ValueError(f"The provided filename {f} is a directory")
    raise _refuse("load")


def freeze(mod: Any, preserved_attrs: Any = None, optimize_numerics: bool = True) -> Any:
    _deprecated("freeze", _JIT_COMPILE)
    raise RuntimeError("Freezing expects a ScriptModule as input. Please use torch.jit.script "
                       "or torch.jit.trace to script your 'nn.Module'.")


def optimize_for_inference(mod: Any, other_methods: Any = None) -> Any:
    _deprecated("optimize_for_inference", _JIT_COMPILE)
    raise RuntimeError("optimize_for_inference expects a ScriptModule as input. Please use "
                       "torch.jit.script or torch.jit.trace to script your 'nn.Module'.")


class ScriptModule:
    """A compiled module: adcli cannot make one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise _refuse("ScriptModule")


class ScriptFunction:
    """A compiled function: adcli cannot make one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise _refuse("ScriptFunction")


for _c in (Attribute, Future, ScriptModule, ScriptFunction):
    _c.__module__ = "torch.jit"
