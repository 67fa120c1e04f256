"""The flag machinery torch.backends' submodules share: module attributes that read and set a
switch (``torch.backends.mkldnn.enabled = False``), the ``flags(...)`` context managers, and
``disable_global_flags`` (after which only those context managers may change a flag)."""

from __future__ import annotations

import contextlib
import sys
import types
from collections.abc import Callable, Iterator
from typing import Any

_MUTABLE = [True]


def disable_global_flags() -> None:
    """Forbid plain assignment to the backend flags from now on (torch's test-suite switch)."""
    _MUTABLE[0] = False


def flags_frozen() -> bool:
    return not _MUTABLE[0]


@contextlib.contextmanager
def allow_mutation() -> Iterator[None]:
    """What the ``flags()`` context managers set flags under."""
    old, _MUTABLE[0] = _MUTABLE[0], True
    try:
        yield
    finally:
        _MUTABLE[0] = old


class ContextProp:
    """A module attribute backed by a getter and a setter; assignment refused while the
    global flags are frozen."""

    def __init__(self, getter: Callable[[], Any], setter: Callable[[Any], Any]) -> None:
        self.getter, self.setter = getter, setter

    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        return self.getter()

    def __set__(self, obj: Any, val: Any) -> None:
        if flags_frozen():
            name = obj.__name__.replace("adcli.", "torch.", 1)  # torch's module, by its name
            raise RuntimeError(f"not allowed to set {name} flags after "
                               "disable_global_flags; please use flags() context manager "
                               "instead")
        self.setter(val)


def with_props(module_name: str, **props: Any) -> None:
    """Give the module ``module_name`` these class-level attributes (ContextProps,
    properties), as torch does by replacing its backend modules with PropModules."""
    mod = sys.modules[module_name]
    cls = type(f"{module_name.rsplit('.', 1)[1].title()}Module", (types.ModuleType,), props)
    mod.__class__ = cls


def flag_switch(state: dict[str, Any], key: str) -> ContextProp:
    """A ContextProp for ``state[key]``."""
    return ContextProp(lambda: state[key], lambda v: state.__setitem__(key, v))
