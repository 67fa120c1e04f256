"""The spec's reach into adcli's own packages: ``torch.nn.*``, ``torch.optim.*``, ...

A name such as ``torch.nn.Linear`` or ``torch.nn.init.xavier_uniform_`` is looked up in the
adcli package that serves that torch namespace (``Vocabulary.packages``). Only public names
are walked (no leading underscore), every module passed through must belong to a trusted root
(``Vocabulary.trusted``, ``adcli`` by default) and so must the class or function found: a
spec never reaches a module or object from outside adcli (``numpy``, ``os``, ...), and never
a dunder.

At run time, the objects those classes make (``nn.Linear(3, 2)``, ``optim.SGD(...)``) are
*package objects*: their public attributes can be read and their public methods called
(``model.weight``, ``model.parameters()``, ``opt.step()``). The checker needs the possible
attribute names in advance; :func:`object_names` collects them from the packages' classes
and from the ``self.NAME = ...`` assignments in their source.
"""

from __future__ import annotations

import importlib
import re
import types
from pathlib import Path
from typing import Any

_SELF_ATTR = re.compile(r"self\.([A-Za-z][A-Za-z0-9_]*)\s*(?::[^=\n]*)?=(?!=)")
_REGISTERED = re.compile(
    r"register_(?:parameter|buffer|module)\(\s*[\"']([A-Za-z][A-Za-z0-9_]*)[\"']")
_SETATTR = re.compile(r"setattr\(\s*self\s*,\s*[\"']([A-Za-z][A-Za-z0-9_]*)[\"']")
# adcli's own modules a package name never resolves into (the CLI, the spec machinery, ...).
DENIED_MODULES = ("adcli.cli", "adcli.spec", "adcli.view", "adcli.docs_gen",
                  "adcli.pytest_plugin")
# Public names that still must not be reachable from a spec.
REFUSED_NAMES = frozenset({"numpy", "save", "load", "load_state_dict_from_url", "compile",
                           "register_op"})


def _under(name: str, roots: tuple[str, ...]) -> bool:
    return any(name == r or name.startswith(r + ".") for r in roots)


def _public(name: str) -> bool:
    return bool(name) and not name.startswith("_") and name not in REFUSED_NAMES


def _import(modname: str) -> types.ModuleType | None:
    try:
        return importlib.import_module(modname)
    except ImportError:
        return None


def resolve_package(vocab: Any, qual: str) -> Any:
    """The object named ``qual`` (``torch.nn.init.zeros_``), or None if not whitelisted."""
    best = None
    for prefix in vocab.packages:
        if (qual == prefix or qual.startswith(prefix + ".")) and \
                (best is None or len(prefix) > len(best)):
            best = prefix
    if best is None:
        return None
    modname = vocab.packages[best]
    if not _under(modname, vocab.trusted):
        return None
    obj: Any = _import(modname)
    if obj is None:
        return None
    rest = qual[len(best) + 1:].split(".") if qual != best else []
    for part in rest:
        # only through the package's own modules (torch.nn.init), never another module it
        # happens to import (torch.nn.os, torch.nn.np)
        if not _public(part) or not isinstance(obj, types.ModuleType) \
                or not _under(obj.__name__, (modname,)):
            return None
        nxt = getattr(obj, part, None)
        if nxt is None and part.isidentifier():
            # a submodule its package did not import yet (adcli.nn.init)
            nxt = _import(f"{obj.__name__}.{part}")
        if nxt is None:
            return None
        obj = nxt
    if isinstance(obj, types.ModuleType):
        return obj if _under(obj.__name__, (modname,)) else None
    owner = getattr(obj, "__module__", None)
    if not isinstance(owner, str) or not _under(owner, vocab.trusted) \
            or _under(owner, DENIED_MODULES):
        return None
    if not (isinstance(obj, type) or callable(obj)):
        return None
    return obj


def object_roots(vocab: Any) -> tuple[str, ...]:
    """The module roots whose objects are package objects (``adcli.nn``, ``adcli.optim``)."""
    return tuple(m for m in vocab.packages.values() if _under(m, vocab.trusted))


def is_package_object(obj: Any, roots: tuple[str, ...]) -> bool:
    """True for an instance of a class defined in one of ``roots`` (a module, an optimizer)."""
    if isinstance(obj, type | types.ModuleType | types.FunctionType | types.MethodType):
        return False
    owner = getattr(type(obj), "__module__", "")
    return isinstance(owner, str) and _under(owner, roots)


def is_package_callable(obj: Any, roots: tuple[str, ...]) -> bool:
    """A class or function of the packages, or a method bound to one of their objects."""
    if isinstance(obj, types.MethodType):
        return is_package_object(obj.__self__, roots) and _public(obj.__name__)
    if isinstance(obj, type | types.FunctionType):
        owner = getattr(obj, "__module__", "")
        return isinstance(owner, str) and _under(owner, roots) and _public(obj.__name__)
    return is_package_object(obj, roots) and callable(obj)


def object_names(vocab: Any) -> tuple[frozenset[str], frozenset[str]]:
    """The public (attribute, method) names a package object may have (for the checker).

    Methods are the classes' callables; attributes their other members and every
    ``self.NAME = ...`` in the packages' source (instance attributes: ``weight``,
    ``param_groups``). Tensor subclasses (``Parameter``) are tensors: not counted here.
    """
    from adcli.engine.tensor import Tensor

    names: set[str] = set()
    methods: set[str] = set()
    for modname in object_roots(vocab):
        mod = _import(modname)
        if mod is None:
            continue
        files: list[Path] = []
        seen: set[int] = set()
        stack: list[types.ModuleType] = [mod]
        while stack:
            m = stack.pop()
            if id(m) in seen:
                continue
            seen.add(id(m))
            f = getattr(m, "__file__", None)
            if f:
                files.append(Path(f))
            for key, value in vars(m).items():
                if key.startswith("_"):
                    continue
                if isinstance(value, types.ModuleType) and _under(value.__name__, (modname,)):
                    stack.append(value)
                elif isinstance(value, type) and _under(getattr(value, "__module__", ""),
                                                        (modname,)) \
                        and not issubclass(value, Tensor):
                    for n in dir(value):
                        if not _public(n):
                            continue
                        member = getattr(value, n, None)
                        is_method = callable(member) and not isinstance(member, type)
                        (methods if is_method else names).add(n)
        root = Path(getattr(mod, "__file__", "") or "").parent
        if getattr(mod, "__path__", None):  # a package: every source file in it
            files.extend(root.rglob("*.py"))
        for f in set(files):
            try:
                text = f.read_text(encoding="utf-8")
            except OSError:
                continue
            for rx in (_SELF_ATTR, _REGISTERED, _SETATTR):
                names.update(n for n in rx.findall(text) if _public(n))
    return frozenset(names), frozenset(methods)
