"""``torch.ops``: ``torch.ops.aten.<op>.<overload>`` objects for the ops adcli has.

Each op of adcli's table (and torch-level function, such as ``detach``) is an
:class:`OpOverloadPacket` (``aten.mm``) whose overloads
(``aten.mm.default``) are singletons, so policies compare them by identity or keep them in
sets, as with torch (``op in {aten.mm.default}``). Calling one runs adcli's op. Selective
activation checkpointing hands them to its policy function.
"""

from __future__ import annotations

from typing import Any

__all__ = ["OpOverload", "OpOverloadPacket", "aten", "overload_of"]

# The ops torch's eager dispatch reaches through their ``Tensor`` overload (a Python number
# operand is wrapped into a tensor): ``x * 2`` is ``aten.mul.Tensor``.
_TENSOR_OVERLOAD = frozenset({"add", "sub", "mul", "div", "eq", "ne", "lt", "le", "gt", "ge"})


# aten ops adcli has as tensor methods only (SAC_IGNORED_OPS names aten.detach)
_METHOD_OPS = frozenset({"detach"})


def _table() -> dict[str, Any]:
    from adcli.engine import registry  # noqa: F401 - loads every op family into the table
    from adcli.engine.table import OPS

    return OPS


def _function(name: str) -> Any:
    """The table op ``name``, else the torch-level function of that name (``detach``)."""
    from adcli.engine import registry

    op = _table().get(name)
    if op is None:
        op = registry.TORCH.get(name)
    if op is None and name in _METHOD_OPS:
        def op(self: Any, *args: Any, **kwargs: Any) -> Any:
            return getattr(self, name)(*args, **kwargs)
    return op


class OpOverload:
    """One overload of an op (``aten.mm.default``); calling it runs adcli's op."""

    def __init__(self, packet: OpOverloadPacket, overload: str) -> None:
        self.overloadpacket = packet
        self._overloadname = overload
        self.__name__ = f"{packet._name}.{overload}"

    def name(self) -> str:
        packet = self.overloadpacket
        tail = "" if self._overloadname == "default" else f".{self._overloadname}"
        return f"{packet._ns}::{packet._name}{tail}"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.overloadpacket(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self.overloadpacket}.{self._overloadname}"

    def __repr__(self) -> str:
        return (f"<OpOverload(op='{self.overloadpacket}', "
                f"overload='{self._overloadname}')>")


class OpOverloadPacket:
    """An op by name (``aten.mm``); its attributes are its overloads, made once each."""

    def __init__(self, ns: str, name: str) -> None:
        self._ns = ns
        self._name = name
        self._overloads: dict[str, OpOverload] = {}
        self.__name__ = name

    def __getattr__(self, overload: str) -> OpOverload:
        if overload.startswith("_"):
            raise AttributeError(overload)
        found = self._overloads.get(overload)
        if found is None:
            found = self._overloads[overload] = OpOverload(self, overload)
        return found

    def overloads(self) -> list[str]:
        return list(self._overloads)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return _function(self._name)(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self._ns}.{self._name}"

    def __repr__(self) -> str:
        return f"<OpOverloadPacket(op='{self}')>"


class _OpNamespace:
    """``torch.ops.aten``: a packet for each op of adcli's table (made once each)."""

    def __init__(self, name: str) -> None:
        self._ns = name
        self._packets: dict[str, OpOverloadPacket] = {}

    def __getattr__(self, name: str) -> OpOverloadPacket:
        packet = self._packets.get(name)
        if packet is not None:
            return packet
        if name.startswith("_") or _function(name) is None:
            raise AttributeError(f"'_OpNamespace' '{self._ns}' object has no attribute "
                                 f"'{name}'")
        packet = self._packets[name] = OpOverloadPacket(self._ns, name)
        return packet


aten = _OpNamespace("aten")


def overload_of(opdef: Any) -> OpOverload:
    """The overload torch's dispatcher would report for a call of the table op ``opdef``."""
    packet = getattr(aten, opdef.name)
    return getattr(packet, "Tensor" if opdef.name in _TENSOR_OVERLOAD else "default")
