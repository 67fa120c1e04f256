"""The complex-number surface: complex / polar build complex64/complex128 tensors from real
parts (ComplexBackward0, PolarBackward0); view_as_real / view_as_complex are views sharing
storage (ViewAsRealBackward0, ViewAsComplexBackward0); ``real`` / ``imag`` of a complex
tensor are writable views, selects of view_as_real as in torch (SelectBackward0); conj
(ConjBackward0), conj_physical (ConjPhysicalBackward0), resolve_conj, is_conj.

For a real tensor, as PyTorch: conj / conj_physical / resolve_conj / resolve_neg return the
tensor itself, is_conj / is_neg are False, ``real`` is the tensor and ``imag`` raises;
conj_physical_ records ConjPhysicalBackward1 (identity). adjoint / H / mH are conjugate
transposes of the last two dims.

One deviation: torch's conj() of a complex tensor is a lazy view (a conjugate bit on shared
storage); adcli's is a copy that remembers it was conjugated (is_conj() is True,
resolve_conj() gives a plain copy), so writing into it does not reach the original.
Gradients follow torch's convention: the conjugate Wirtinger derivative (docs/complex.md).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..dtypes import scalar_type_name
from ..errors import InvalidArgumentError, InvalidTypeError, NotImplementedArgumentError
from ..op import defop
from ..tensor import Tensor, mark_conj
from ..tensor import is_conj as _is_conj
from .shape import select, transpose

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


def _conj(a: np.ndarray) -> np.ndarray:
    return np.conj(a)


conj_op = defop("conj", "ConjBackward0", _conj, complex_ok=True)
conj_physical_op_c = defop("conj_physical", "ConjPhysicalBackward0", _conj, complex_ok=True)


@conj_op.grad("self")
@conj_physical_op_c.grad("self")
def _conj_self(g, s, B):
    "grad.conj()"
    return B.conj(g)


def _view_as_real(a: np.ndarray) -> np.ndarray:
    # the interleaved (real, imaginary) pairs of a's own memory: a view, strides as torch's
    re = a.real
    return np.lib.stride_tricks.as_strided(re, (*re.shape, 2), (*re.strides, re.itemsize))


def _view_as_complex(a: np.ndarray) -> np.ndarray:
    return a.view(np.result_type(a.dtype, np.complex64))[..., 0]


view_as_real_op = defop("view_as_real", "ViewAsRealBackward0", _view_as_real, view=True,
                        complex_ok=True)
view_as_complex_op = defop("view_as_complex", "ViewAsComplexBackward0", _view_as_complex,
                           view=True, complex_ok=True)


def _viewed(name: str) -> Any:
    """The formula of view_as_real / view_as_complex: the other view of the contiguous grad."""

    def formula(g, s, B):
        if B.tensors:
            return getattr(B, name)(g.contiguous())
        return getattr(B, name)(np.ascontiguousarray(g))

    formula.__doc__ = f"{name}(grad.contiguous())"
    return formula


view_as_real_op.grad("self")(_viewed("view_as_complex"))
view_as_complex_op.grad("self")(_viewed("view_as_real"))


def _complex(re: np.ndarray, im: np.ndarray) -> np.ndarray:
    out = np.empty(np.broadcast_shapes(re.shape, im.shape),
                   np.result_type(re.dtype, np.complex64))
    out.real, out.imag = re, im
    return out


def _polar(r: np.ndarray, theta: np.ndarray) -> np.ndarray:
    return _complex(r * np.cos(theta), r * np.sin(theta))


complex_op = defop("complex", "ComplexBackward0", _complex, inputs=("real", "imag"),
                   complex_ok=True)
polar_op = defop("polar", "PolarBackward0", _polar, inputs=("abs", "angle"),
                 save=("result", "abs"), complex_ok=True)


@complex_op.grad("real")
def _complex_real(g, s, B):
    "at::real(grad)"
    return B.real(g)


@complex_op.grad("imag")
def _complex_imag(g, s, B):
    "at::imag(grad)"
    return B.imag(g)


@polar_op.grad("abs")
def _polar_abs(g, s, B):
    "at::real(grad * sgn(result).conj()) (polar_backward)"
    return B.real(g * B.conj(B.sgn(s.result)))


@polar_op.grad("angle")
def _polar_angle(g, s, B):
    "at::real(grad * (result * i).conj()) (polar_backward)"
    return B.real(g * B.conj(s.result * 1j))


# ==============================================================================================
# public functions
# ==============================================================================================
def _is_c(input: Tensor) -> bool:
    return input._data.dtype.kind == "c"


def conj(input: Tensor) -> Tensor:
    if not _is_c(input):
        return input
    out = conj_op(input)
    if not is_conj(input):  # conj of a conjugated tensor clears the bit, as in torch
        mark_conj(out)  # torch's conjugate bit
    return out


def conj_physical(input: Tensor) -> Tensor:
    return conj_physical_op_c(input) if _is_c(input) else input


def resolve_conj(input: Tensor) -> Tensor:
    if not is_conj(input):
        return input
    out = input.clone()  # (clone does not carry the bit: a plain copy of the values)
    return out


def resolve_neg(input: Tensor) -> Tensor:
    return input


def conj_physical_(self: Tensor) -> Tensor:
    if _is_c(self):
        return conj_physical_op_c.inplace(self)
    return conj_physical_op.inplace(self)


def is_conj(input: Tensor) -> bool:
    return _is_conj(input)


def is_neg(input: Tensor) -> bool:
    return False


def real(input: Tensor) -> Tensor:
    # (of a conj() result too: adcli's holds its values, see the module's docstring)
    return select(view_as_real_op(input), -1, 0) if _is_c(input) else input


def imag(input: Tensor) -> Tensor:
    if not _is_c(input):
        raise InvalidArgumentError("imag is not implemented for tensors with non-complex dtypes.")
    return select(view_as_real_op(input), -1, 1)


def _set_real(self: Tensor, value: Any) -> None:
    real(self).copy_(value)


def _set_imag(self: Tensor, value: Any) -> None:
    imag(self).copy_(value)


def _matrices(input: Tensor, what: str) -> None:
    if input._data.ndim < 2:
        raise InvalidArgumentError(f"tensor.{what} is only supported on matrices or batches of "
                                   f"matrices. Got {input._data.ndim}-D tensor.")


def adjoint(input: Tensor) -> Tensor:
    if input._data.ndim == 0:
        warnings.warn("adjoint() is deprecated on 0-D tensors. Consider using x.conj().",
                      UserWarning, stacklevel=2)
        return conj(input)
    _matrices(input, "adjoint()")
    return conj(transpose(input, -2, -1))


def mH(input: Tensor) -> Tensor:
    _matrices(input, "mH")
    return conj(transpose(input, -2, -1))


def H(input: Tensor) -> Tensor:
    nd = input._data.ndim
    if nd != 2:
        msg = "" if nd < 2 else " For batches of matrices, consider using tensor.mH"
        raise InvalidArgumentError(f"tensor.H is only supported on matrices (2-D tensors). Got "
                                   f"{nd}-D tensor.{msg}")
    return conj(transpose(input, 0, 1))


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
    if da == np.float16:
        if name == "polar":  # (torch has no half kernel for polar)
            raise NotImplementedArgumentError("\"polar_cpu\" not implemented for 'Half'")
        a.new_zeros(0, dtype="complex32")  # ComplexHalf: adcli's one clear refusal


def complex(real: Tensor, imag: Tensor) -> Tensor:
    _two_floats("complex", real, imag, ("real", "imag"))
    return complex_op(real, imag)


def polar(abs: Tensor, angle: Tensor) -> Tensor:
    _two_floats("polar", abs, angle, ("abs", "angle"))
    return polar_op(abs, angle)


def view_as_real(input: Tensor) -> Tensor:
    if not _is_c(input):
        raise InvalidArgumentError("view_as_real is only supported for complex tensors")
    if is_conj(input):
        raise InvalidArgumentError(
            "view_as_real doesn't work on unresolved conjugated tensors.  To resolve the "
            "conjugate tensor so you can view it as real, use self.resolve_conj(); however, be "
            "warned that the resulting tensor will NOT alias the original.")
    return view_as_real_op(input)


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
    if any(st % (2 * a.itemsize) for st, n in zip(a.strides[:-1], a.shape) if n > 1):
        raise InvalidArgumentError(
            "Tensor must have a stride divisible by 2 for all but last dimension")
    if a.dtype == np.float16:
        input.new_zeros(0, dtype="complex32")  # ComplexHalf: adcli's one clear refusal
    return view_as_complex_op(input)


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

# what the formulas reach as ``B.<name>`` on arrays (on tensors: the public functions)
_N_conj = np.conj
_N_real = np.real
_N_imag = np.imag
_N_view_as_real = _view_as_real
_N_view_as_complex = _view_as_complex

FUNCTIONAL: dict[str, Any] = {}
