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
# Attributes nn.utils makes at run time from a tensor's name (f-strings the scan cannot read):
# parametrize's originals, the old weight_norm / spectral_norm's and prune's tensors.
RUNTIME_ATTRS = frozenset({"parametrizations", "original", *(f"original{i}" for i in range(4)),
                           "weight_g", "weight_v", "weight_orig", "weight_u", "weight_mask",
                           "bias_orig", "bias_mask"})
# adcli's own modules a package name never resolves into (the CLI, the spec machinery, ...).
DENIED_MODULES = ("adcli.cli", "adcli.spec", "adcli.view", "adcli.docs_gen",
                  "adcli.pytest_plugin")
# Public names that still must not be reachable from a spec (contract section 3: a spec
# reads and writes no file, runs no code of its own outside the interpreter, and leaves no
# process-wide state behind it).
REFUSED_NAMES = frozenset({
    "numpy", "save", "load", "load_state_dict_from_url", "compile", "register_op",
    # memory and files adcli does not own (torch.from_file reads a file)
    "frombuffer", "from_file", "from_dlpack", "to_dlpack",
    # torch.optim.optimizer's global step hooks: they run at every later step of every optimizer
    "register_optimizer_step_pre_hook", "register_optimizer_step_post_hook",
    # the profiler's trace files (torch.autograd.profiler's profile / EventList objects)
    "export_chrome_trace", "export_stacks", "export_memory_timeline",
    "tensorboard_trace_handler",
    # process-wide CUDA-stream switches of torch.autograd.graph (nothing restores them)
    "set_warn_on_accumulate_grad_stream_mismatch", "set_override_stale_capture_stream",
    # torch.cuda/xpu's pluggable allocators load a shared library; torch.cuda.gds opens a file
    "CUDAPluggableAllocator", "XPUPluggableAllocator", "GdsFile",
    # torch.backends' process-wide switches (their flags() context managers restore them)
    "set_flags", "disable_global_flags", "set_fastpath_enabled", "disable_operations",
    "enable_operations", "disable_dispatch_keys", "enable_dispatch_keys",
})

# The torch namespaces adcli packages serve (``torch.nn.Linear`` is ``adcli.nn.Linear``). The
# names a spec reaches through them are listed, one by one, in the generated
# ``_names.PACKAGE_NAMES`` (``python -m adcli.spec.names``).
PACKAGES: dict[str, str] = {
    "torch.nn": "adcli.nn", "torch.optim": "adcli.optim", "torch.autograd": "adcli.autograd",
    "torch.linalg": "adcli.linalg", "torch.special": "adcli.special", "torch.func": "adcli.func",
    "torch.distributions": "adcli.distributions", "torch.testing": "adcli.testing",
    "torch.utils.data": "adcli.utils.data", "torch.utils.checkpoint": "adcli.utils.checkpoint",
    "torch.utils.hooks": "adcli.utils.hooks", "torch.random": "adcli.random",
    "torch.cuda": "adcli.cuda", "torch.backends": "adcli.backends",
    "torch.accelerator": "adcli.accelerator", "torch.signal": "adcli.signal",
    "torch.mps": "adcli.mps", "torch.xpu": "adcli.xpu", "torch.mtia": "adcli.mtia",
    "torch.jit": "adcli.jit", "torch.distributed": "adcli.distributed",
    "torch.fft": "adcli.fft",
}
# Namespaces the op registry serves (``F.relu``), not the package walk.
OWN_TABLES = frozenset({"torch.nn.functional"})
# Engine classes whose objects a spec holds like package objects: public methods and
# attributes only (``torch.Generator().manual_seed(1)``, ``torch.device("cpu").type``).
OBJECT_MODULES = ("adcli.engine.rng.generator", "adcli.engine.device", "adcli.engine.machine")
# Modules of the named results the ops return (torch.return_types, forward AD's
# UnpackedDualTensor): their fields are attributes a spec may read (``.logabsdet``).
RESULT_MODULES = ("adcli.engine.ops.linalg_api", "adcli.engine.ops.reductions",
                  "adcli.engine.forward_ad")


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
    """The object named ``qual`` (``torch.nn.init.zeros_``), or None if not whitelisted.

    With ``vocab.package_names`` (the generated whitelist), a name it does not list is None
    before anything is looked up; the walk below then only reads listed names.
    """
    names = getattr(vocab, "package_names", None)
    if names is not None and qual not in names and \
            qual not in (getattr(vocab, "package_namespaces", None) or ()):
        return None
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
    extra = tuple(getattr(vocab, "object_modules", ()))
    return tuple(m for m in (*vocab.packages.values(), *extra) if _under(m, vocab.trusted))


def is_context_manager(obj: Any) -> bool:
    """A package class whose instances are context managers (``dual_level``), or a
    ``contextlib.contextmanager`` function of a package (``fork_rng``)."""
    import inspect

    if isinstance(obj, type):
        return hasattr(obj, "__enter__") and hasattr(obj, "__exit__")
    inner = getattr(obj, "__wrapped__", None)
    return inner is not None and inspect.isgeneratorfunction(inner)


def static_tables(packages: dict[str, str]) -> dict[str, list[str]]:
    """The generated whitelist's package tables (``_names.py``): names, namespaces, context
    managers, and the attribute and method names of the objects they make."""

    class _Vocab:
        def __init__(self) -> None:
            self.packages = packages
            self.trusted = ("adcli",)
            self.object_modules = OBJECT_MODULES

    every = package_names(packages)
    vocab = _Vocab()
    resolved = {q: resolve_package(vocab, q) for q in every}
    attrs, methods = object_names(vocab)
    return {
        "PACKAGE_NAMES": sorted(q for q, o in resolved.items()
                                if not isinstance(o, types.ModuleType)),
        "PACKAGE_NAMESPACES": sorted(q for q, o in resolved.items()
                                     if isinstance(o, types.ModuleType)),
        "PACKAGE_CONTEXT_MANAGERS": sorted(q for q, o in resolved.items()
                                           if is_context_manager(o)),
        "OBJECT_ATTRS": sorted(attrs), "OBJECT_METHODS": sorted(methods),
    }


def package_names(packages: dict[str, str], trusted: tuple[str, ...] = ("adcli",)) -> list[str]:
    """Every ``torch.<path>`` a spec may name through ``packages``: the classes, functions and
    namespaces :func:`resolve_package`'s rules reach (the generated whitelist's source)."""

    class _Vocab:
        def __init__(self) -> None:
            self.packages = packages
            self.trusted = trusted

    vocab = _Vocab()
    found: set[str] = set()
    for prefix, modname in packages.items():
        mod = _import(modname)
        if mod is None:
            continue
        stack: list[tuple[str, types.ModuleType]] = [(prefix, mod)]
        seen: set[str] = set()
        while stack:
            qual, m = stack.pop()
            if m.__name__ in seen:
                continue
            seen.add(m.__name__)
            found.add(qual)
            for key in sorted(getattr(m, "__all__", None) or dir(m)):
                if not _public(key):
                    continue
                sub = f"{qual}.{key}"
                if any(sub == p for p in packages if p != prefix) or sub in OWN_TABLES:
                    continue  # another package or the op registry serves it
                obj = resolve_package(vocab, sub)
                if obj is None:
                    continue
                if isinstance(obj, types.ModuleType):
                    stack.append((sub, obj))
                else:
                    found.add(sub)
    return sorted(found)


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
    if getattr(vocab, "object_modules", ()):  # adcli's own vocabulary, not a stand-in
        for modname in RESULT_MODULES:
            mod = _import(modname)
            for value in vars(mod).values() if mod is not None else ():
                if isinstance(value, type) and issubclass(value, tuple):
                    names.update(f for f in getattr(value, "_fields", ()) if _public(f))
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
    if getattr(vocab, "object_modules", ()):  # adcli's own vocabulary, not a stand-in
        names.update(RUNTIME_ATTRS)
    return frozenset(names), frozenset(methods)
