"""``torch.backends.python_native``: switches for torch's Triton/CuteDSL operator overrides.
Neither DSL is available on a CPU build (nor in adcli); which DSLs, operations and dispatch
keys are switched off is still kept and reported, as torch does."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from ._flags import flags_frozen, with_props

__all__ = ["DSLController", "disable_dispatch_keys", "disable_operations",
           "enable_dispatch_keys", "enable_operations", "get_dsl_operations", "is_dsl_disabled",
           "is_operation_disabled", "operations_disabled"]

_ALL = ["cutedsl", "triton"]
_OFF: dict[str, set[str]] = {"dsl": set(), "op": set(), "key": set()}


class DSLController:
    """The switch of one DSL (``torch.backends.python_native.triton``)."""

    def __init__(self, dsl_name: str) -> None:
        self._dsl_name = dsl_name

    @property
    def name(self) -> str:
        return self._dsl_name

    @property
    def available(self) -> bool:
        """Whether the DSL's runtime is available: never on a CPU build."""
        return False

    @property
    def version(self) -> None:
        return None

    @property
    def enabled(self) -> bool:
        return self._dsl_name not in _OFF["dsl"]

    @enabled.setter
    def enabled(self, value: bool) -> None:
        if flags_frozen():
            raise RuntimeError(f"not allowed to set {self._dsl_name} DSL flags after "
                               "disable_global_flags; please use flags() context manager "
                               "instead")
        if value:
            self.enable()
        else:
            self.disable()

    def disable(self) -> None:
        _OFF["dsl"].add(self._dsl_name)

    def enable(self) -> None:
        _OFF["dsl"].discard(self._dsl_name)

    @contextlib.contextmanager
    def disabled(self) -> Iterator[None]:
        original = self.enabled
        try:
            self.disable()
            yield
        finally:
            if original:
                self.enable()

    def __repr__(self) -> str:
        status = "available" if self.available else "unavailable"
        return f"DSLController({self._dsl_name}, {status}, " \
               f"{'enabled' if self.enabled else 'disabled'})"


DSLController.__module__ = "torch.backends.python_native"
cutedsl = DSLController("cutedsl")
triton = DSLController("triton")


def get_dsl_operations(dsl_name: str) -> list[str]:
    """The operations a DSL registered: none here."""
    return []


def disable_operations(*op_symbols: str) -> None:
    _OFF["op"].update(op_symbols)


def enable_operations(*op_symbols: str) -> None:
    _OFF["op"].difference_update(op_symbols)


def disable_dispatch_keys(*dispatch_keys: str) -> None:
    _OFF["key"].update(dispatch_keys)


def enable_dispatch_keys(*dispatch_keys: str) -> None:
    _OFF["key"].difference_update(dispatch_keys)


def is_operation_disabled(op_symbol: str) -> bool:
    return op_symbol in _OFF["op"]


def is_dsl_disabled(dsl_name: str) -> bool:
    return dsl_name in _OFF["dsl"]


@contextlib.contextmanager
def operations_disabled(*op_symbols: str) -> Iterator[None]:
    before = {op for op in op_symbols if op in _OFF["op"]}
    disable_operations(*op_symbols)
    try:
        yield
    finally:
        again = [op for op in op_symbols if op not in before]
        if again:
            enable_operations(*again)


class _List:
    def __init__(self, value: list[str]) -> None:
        self.value = value

    def __get__(self, obj: object, objtype: object = None) -> list[str]:
        return list(self.value)


with_props(__name__, all_dsls=_List(_ALL), available_dsls=_List([]))
