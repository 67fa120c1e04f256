"""Typer's help and usage errors without rich's Markdown and Traceback machinery.

``typer.rich_utils`` (imported for ``--help`` and usage errors) imports ``rich.markdown`` and
``rich.traceback`` at its top; they pull in markdown-it, Pygments, attrs and
``importlib.metadata`` (a third of ``adcli --help``'s start-up), yet adcli's help uses rich markup
(never Markdown) and typer's pretty tracebacks are off. While ``typer.rich_utils`` executes, a
finder hands it stand-ins for those two names that import the real class on first use, then
steps aside: anyone else importing ``rich.markdown`` gets the real module.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types
from typing import Any

_TARGET = "typer.rich_utils"
_STANDINS = {"rich.markdown": "Markdown", "rich.traceback": "Traceback"}


def _standin(module: str, name: str) -> type:
    def __new__(cls: type, *args: Any, **kwargs: Any) -> Any:  # noqa: N807 - it is __new__
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    return type(name, (), {"__new__": __new__, "__module__": module,
                           "__doc__": f"Imports {module}.{name} when first made."})


class _Loader(importlib.abc.Loader):
    def __init__(self, real: importlib.abc.Loader) -> None:
        self.real = real

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        return self.real.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        placed = []
        for modname, name in _STANDINS.items():
            if modname not in sys.modules:
                stub = types.ModuleType(modname)
                setattr(stub, name, _standin(modname, name))
                sys.modules[modname] = stub
                placed.append(modname)
        try:
            self.real.exec_module(module)
        finally:
            for modname in placed:
                if sys.modules.get(modname) is not None and \
                        not hasattr(sys.modules[modname], "__file__"):
                    del sys.modules[modname]
                    parent = sys.modules.get("rich")
                    child = modname.rpartition(".")[2]
                    if parent is not None and isinstance(getattr(parent, child, None),
                                                         types.ModuleType):
                        delattr(parent, child)


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != _TARGET:
            return None
        sys.meta_path.remove(self)  # once: find the real spec, then wrap its loader
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _Loader(spec.loader)
        return spec


def install() -> None:
    """Make the first import of ``typer.rich_utils`` skip rich's Markdown and Traceback."""
    if _TARGET not in sys.modules and not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())
