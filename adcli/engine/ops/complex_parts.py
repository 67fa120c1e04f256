"""The complex-number surface on adcli's real tensors, as PyTorch behaves for real inputs:
conj / conj_physical / resolve_conj / resolve_neg return the tensor itself, is_conj / is_neg
are False, ``real`` is the tensor and ``imag`` raises; conj_physical_ records
ConjPhysicalBackward1 (identity). adjoint / H / mH are transposes of the last two dims.

adcli has no complex dtype: complex / polar / view_as_complex check their inputs with
PyTorch's messages, then raise one clear error; view_as_real raises PyTorch's error for a
real input.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..dtypes import scalar_type_name
from ..errors import InvalidArgumentError, InvalidTypeError, NotImplementedArgumentError
from ..op import defop
from ..tensor import Tensor
from .shape import transpose

NO_COMPLEX = ("adcli has no complex dtype: {what} would make a complex tensor, which adcli "
              "does not support")

# ==============================================================================================
# the table
# ==============================================================================================


def _identity(a: np.ndarray) -> np.ndarray:
    return a.copy()


# a real tensor's conj_physical_ changes nothing, but PyTorch records it
conj_physical_op = defop("conj_physical_", "ConjPhysicalBackward1", _identity,
                         torch="Tensor.conj_physical_")


@conj_physical_op.grad("self")
def _conj_physical_self(g, s, B):
    "grad.conj_physical() (grad for a real tensor)"
    return g


# ==============================================================================================
# public functions
# ==============================================================================================
def conj(input: Tensor) -> Tensor:
    return input


conj_physical = resolve_conj = resolve_neg = conj


def conj_physical_(self: Tensor) -> Tensor:
    return conj_physical_op.inplace(self)


def is_conj(input: Tensor) -> bool:
    return False


is_neg = is_conj


def real(input: Tensor) -> Tensor:
    return input


def imag(input: Tensor) -> Tensor:
    raise InvalidArgumentError("imag is not implemented for tensors with non-complex dtypes.")


def _set_real(self: Tensor, value: Any) -> None:
    self.copy_(value)


def _set_imag(self: Tensor, value: Any) -> None:
    imag(self)


def _matrices(input: Tensor, what: str) -> None:
    if input._data.ndim < 2:
        raise InvalidArgumentError(f"tensor.{what} is only supported on matrices or batches of "
                                   f"matrices. Got {input._data.ndim}-D tensor.")


def adjoint(input: Tensor) -> Tensor:
    if input._data.ndim == 0:
        warnings.warn("adjoint() is deprecated on 0-D tensors. Consider using x.conj().",
                      UserWarning, stacklevel=2)
        return input
    _matrices(input, "adjoint()")
    return transpose(input, -2, -1)


def mH(input: Tensor) -> Tensor:
    _matrices(input, "mH")
    return transpose(input, -2, -1)


def H(input: Tensor) -> Tensor:
    nd = input._data.ndim
    if nd != 2:
        msg = "" if nd < 2 else " For batches of matrices, consider using tensor.mH"
        raise InvalidArgumentError(f"tensor.H is only supported on matrices (2-D tensors). Got "
                                   f"{nd}-D tensor.{msg}")
    return transpose(input, 0, 1)


def _two_floats(name: str, a: Any, b: Any, names: tuple[str, str]) -> None:
    for pos, (arg, x) in enumerate(zip(names, (a, b)), 1):
        if not isinstance(x, Tensor):
            raise InvalidTypeError(f"{name}(): argument '{arg}' (position {pos}) must be Tensor, "
                                   f"not {type(x).__name__}")
    da, db = a._data.dtype, b._data.dtype
    if da != db:
        raise InvalidArgumentError(
            f"Expected object of scalar type {scalar_type_name(da)} but got scalar type "
            f"{scalar_type_name(db)} for second argument")
    if da.kind != "f":
        raise InvalidArgumentError(
            f"Expected both inputs to be Half, Float or Double tensors but got "
            f"{scalar_type_name(da)} and {scalar_type_name(db)}")


def complex(real: Tensor, imag: Tensor) -> Tensor:
    _two_floats("complex", real, imag, ("real", "imag"))
    raise NotImplementedArgumentError(NO_COMPLEX.format(what="torch.complex"))


def polar(abs: Tensor, angle: Tensor) -> Tensor:
    _two_floats("polar", abs, angle, ("abs", "angle"))
    raise NotImplementedArgumentError(NO_COMPLEX.format(what="torch.polar"))


def view_as_real(input: Tensor) -> Tensor:
    raise InvalidArgumentError("view_as_real is only supported for complex tensors")


def view_as_complex(input: Tensor) -> Tensor:
    a = input._data
    if a.dtype.kind != "f":
        raise InvalidArgumentError(
            "view_as_complex is only supported for half, float and double tensors, but got a "
            f"tensor of scalar type: {scalar_type_name(a.dtype)}")
    if a.ndim == 0:
        raise InvalidArgumentError("Input tensor must have one or more dimensions")
    if a.shape[-1] != 2:
        raise InvalidArgumentError("Tensor must have a last dimension of size 2")
    if a.strides[-1] != a.itemsize:
        raise InvalidArgumentError("Tensor must have a last dimension with stride 1")
    raise NotImplementedArgumentError(NO_COMPLEX.format(what="torch.view_as_complex"))


# Tensor.real / Tensor.imag / Tensor.H / Tensor.mH (installed as properties by methods.py)
PROPERTIES: dict[str, property] = {
    "real": property(real, _set_real), "imag": property(imag, _set_imag), "H": property(H),
    "mH": property(mH),
}

# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {
    "conj": conj, "conj_physical": conj_physical, "conj_physical_": conj_physical_,
    "resolve_conj": resolve_conj, "resolve_neg": resolve_neg, "is_conj": is_conj,
    "is_neg": is_neg, "real": real, "imag": imag, "adjoint": adjoint, "complex": complex,
    "polar": polar, "view_as_real": view_as_real, "view_as_complex": view_as_complex,
}

METHODS: dict[str, Any] = {
    "conj": conj, "conj_physical": conj_physical, "conj_physical_": conj_physical_,
    "resolve_conj": resolve_conj, "resolve_neg": resolve_neg, "is_conj": is_conj,
    "is_neg": is_neg, "adjoint": adjoint,
}

FUNCTIONAL: dict[str, Any] = {}
