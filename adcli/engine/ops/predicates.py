"""Type and shape questions torch answers without computing: predicates (is_tensor, numel,
is_nonzero, ...), dtype promotion (result_type, promote_types, can_cast), broadcasting
(broadcast_shapes, broadcast_tensors), the narrow casts, print options and thread counts.
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from .. import dtypes
from ..errors import InvalidArgumentError
from ..printing import set_printoptions
from ..rounding import THREADS
from ..tensor import Tensor
from .common import broadcast_shapes as _broadcast_pair
from .conversion import to
from .shape import expand


def _need_tensor(name: str, x: Any) -> None:
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(x).__name__}")


def is_tensor(obj: Any) -> bool:
    return isinstance(obj, Tensor)


def is_floating_point(input: Tensor) -> bool:
    _need_tensor("is_floating_point", input)
    return input._data.dtype.kind == "f"


def is_complex(input: Tensor) -> bool:
    _need_tensor("is_complex", input)
    return input._data.dtype.kind == "c"


def numel(input: Tensor) -> int:
    _need_tensor("numel", input)
    return int(input._data.size)


def is_nonzero(input: Tensor) -> bool:
    _need_tensor("is_nonzero", input)
    n = input._data.size
    if n == 0:
        raise InvalidArgumentError("Boolean value of Tensor with no values is ambiguous")
    if n > 1:
        raise InvalidArgumentError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input._data.reshape(()).item())


# ---- promotion: torch's categories (bool < integer < floating) and its three tiers ----
def _category(d: np.dtype) -> int:
    return {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}[d.kind]


def _promote(a: np.dtype | None, b: np.dtype | None) -> np.dtype | None:
    if a is None or b is None:
        return a if b is None else b
    ca, cb = _category(a), _category(b)
    if ca != cb and {ca, cb} != {2, 3}:  # (a float and a complex: NumPy's is torch's)
        return a if ca > cb else b
    if a != b and ((a.kind == "u" and a.itemsize > 1) or (b.kind == "u" and b.itemsize > 1)):
        raise RuntimeError(
            "Promotion for uint16, uint32, uint64 types is not supported, attempted to promote "
            f"{dtypes.scalar_type_name(a)} and {dtypes.scalar_type_name(b)}")
    return np.promote_types(a, b)


def promote_types(type1: Any, type2: Any) -> dtypes.dtype:
    return dtypes.from_numpy(_promote(dtypes.to_dtype(type1).np, dtypes.to_dtype(type2).np))


def _combine(higher: np.dtype | None, lower: np.dtype | None) -> np.dtype | None:
    # c10's combine_categories: a lower tier only changes the result by a higher category.
    if higher is not None and lower is not None and lower.kind == "c" and higher.kind == "f":
        return np.promote_types(higher, np.complex64)  # the float's precision, made complex
    if higher is not None and higher.kind in "fc":
        return higher
    if higher is not None and (higher.kind == "b" or (lower is not None and lower.kind in "fc")):
        return _promote(higher, lower)
    return higher if higher is not None else lower


def _scalar_dtype(x: Any) -> np.dtype:
    if isinstance(x, (bool, np.bool_)):
        return np.dtype(np.bool_)
    if isinstance(x, (int, np.integer)):
        return np.dtype(np.int64)
    if isinstance(x, (float, np.floating)):
        return dtypes.get_default_dtype().np
    if isinstance(x, (complex, np.complexfloating)):
        return dtypes.default_complex().np
    raise TypeError(f"result_type(): argument 'other' must be Tensor or Number, not "
                    f"{type(x).__name__}")


def result_type(tensor: Any, other: Any) -> dtypes.dtype:
    """The dtype an arithmetic op on ``tensor`` and ``other`` gives (torch's tiers: tensors
    with dimensions, then 0-d tensors, then Python numbers)."""
    tiers: list[np.dtype | None] = [None, None, None]
    for x in (tensor, other):
        if isinstance(x, Tensor):
            tier, d = (0 if x._data.ndim else 1), x._data.dtype
        else:
            tier, d = 2, _scalar_dtype(x)
        tiers[tier] = _promote(tiers[tier], d)
    return dtypes.from_numpy(_combine(tiers[0], _combine(tiers[1], tiers[2])))


def can_cast(from_: Any, to: Any) -> bool:
    """torch's canCast: no complex to real, no float to integer, nothing else to bool."""
    a, b = dtypes.to_dtype(from_).np, dtypes.to_dtype(to).np
    if a.kind == "c" and b.kind != "c":
        return False
    if a.kind == "f" and b.kind in "biu":
        return False
    return not (a.kind != "b" and b.kind == "b")


# ---- broadcasting ----
def broadcast_shapes(*shapes: Any) -> Any:
    """The shape the given shapes broadcast to, with torch's messages."""
    from ..tensor import Size

    given = [(s,) if isinstance(s, (int, np.integer)) else s for s in shapes if s is not None]
    if not given:
        return Size(())
    for s in given:
        if not isinstance(s, (tuple, list, Size)):
            raise InvalidArgumentError("Input shapes should be of type ints, a tuple of ints, "
                                       f"or a list of ints, got {s}")
    common = [1] * max(len(s) for s in given)
    for i, s in enumerate(given):
        for idx in range(-1, -1 - len(s), -1):
            if common[idx] == 1:
                if s[idx] < 0:
                    raise InvalidArgumentError(
                        "Trying to create tensor with negative dimension "
                        f"({s[idx]}): ({s[idx]})")
                common[idx] = s[idx]
            elif s[idx] != 1 and common[idx] != s[idx]:
                raise InvalidArgumentError(
                    f"Attempting to broadcast a dimension of length {s[idx]} at {idx}! "
                    f"Mismatching argument at index {i} had {s}; but expected shape should be "
                    f"broadcastable to {common}")
    return Size(tuple(int(n) for n in common))


def broadcast_tensors(*tensors: Any) -> tuple[Tensor, ...]:
    """The tensors expanded to their common shape (ExpandBackward0 where a tensor grows)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    shape: tuple[int, ...] = ()
    for t in tensors:
        shape = _broadcast_pair(shape, tuple(t._data.shape))
    return tuple(t if tuple(t._data.shape) == shape else expand(t, shape) for t in tensors)


# ---- threads: NumPy decides; the count is kept so the pair round-trips as in torch ----
_THREADS = THREADS  # shared with rounding.py: where torch's loops are cut into chunks


def get_num_threads() -> int:
    return _THREADS[0]


def set_num_threads(int: Any) -> None:
    if isinstance(int, bool) or not isinstance(int, (np.integer, builtins.int)):
        raise InvalidArgumentError(
            f"set_num_threads expects an int, but got {type(int).__name__}")
    if int <= 0:
        raise InvalidArgumentError("set_num_threads expects a positive integer")
    _THREADS[0] = int


# ---- Tensor casts and sizes ----
def _cast(name: str, target: str) -> Any:
    # bfloat16 (no NumPy type) fails in to() with the dtype's one error
    def method(self: Tensor, memory_format: Any = None) -> Tensor:
        return to(self, target)

    method.__name__ = name
    return method


def _element_size(self: Tensor) -> int:
    return int(self._data.itemsize)


def _data_ptr(self: Tensor) -> int:
    return int(self._data.__array_interface__["data"][0])


def _is_nonzero(self: Tensor) -> bool:
    return is_nonzero(self)


def _is_complex(self: Tensor) -> bool:
    return is_complex(self)


def _nelement(self: Tensor) -> int:
    return int(self._data.size)


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {
    "is_tensor": is_tensor, "is_floating_point": is_floating_point, "is_complex": is_complex,
    "numel": numel, "is_nonzero": is_nonzero, "result_type": result_type,
    "promote_types": promote_types, "can_cast": can_cast, "broadcast_shapes": broadcast_shapes,
    "broadcast_tensors": broadcast_tensors, "set_printoptions": set_printoptions,
    "get_num_threads": get_num_threads, "set_num_threads": set_num_threads,
}

METHODS: dict[str, Any] = {
    "int": _cast("int", "int32"), "half": _cast("half", "float16"),
    "char": _cast("char", "int8"), "short": _cast("short", "int16"),
    "bfloat16": _cast("bfloat16", "bfloat16"), "cfloat": _cast("cfloat", "complex64"),
    "cdouble": _cast("cdouble", "complex128"), "chalf": _cast("chalf", "complex32"),
    "byte": _cast("byte", "uint8"), "element_size": _element_size, "data_ptr": _data_ptr,
    "is_nonzero": _is_nonzero, "is_complex": _is_complex, "nelement": _nelement,
}

FUNCTIONAL: dict[str, Any] = {}
