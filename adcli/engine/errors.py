"""Engine errors: RuntimeErrors carrying the contract's stable error kind."""

from __future__ import annotations

from . import anomaly

_HINT = (
    "Hint: enable anomaly detection to find the operation that failed to compute its gradient, "
    "with torch.autograd.set_detect_anomaly(True, check_nan=False)."
)


_ANOMALY_HINT = (
    "Hint: the backtrace further above shows the operation that failed to compute its "
    "gradient. The variable in question was changed in there or anywhere later. Good luck!"
)


class AdcliError(RuntimeError):
    """Base class of every error the engine raises on purpose; ``kind`` is the contract id."""

    kind = "invalid_argument"


class GraphFreedError(AdcliError):
    kind = "graph_freed"

    def __init__(self) -> None:
        super().__init__(
            "Trying to backward through the graph a second time (or directly access saved "
            "tensors after they have already been freed). Saved intermediate values of the graph "
            "are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if "
            "you need to backward through the graph a second time or if you need to access saved "
            "tensors after calling backward."
        )


class InplaceModifiedError(AdcliError):
    kind = "inplace_modified"

    def __init__(self, desc: str, origin: str | None, version: int, expected: int,
                 node: object = None, vc: list[int] | None = None) -> None:
        # What a spec run needs to name the places (the node that saved the tensor, and the
        # version counter whose bump from ``expected`` it recorded); the message is torch's.
        self.node, self.vc, self.expected = node, vc, expected
        where = f", which is output 0 of {origin}," if origin else ""
        super().__init__(
            "one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: [{desc}]{where} is at version {version}; expected version "
            f"{expected} instead. {_ANOMALY_HINT if anomaly.enabled[0] else _HINT}"
        )


class LeafInplaceError(AdcliError):
    kind = "leaf_inplace"

    def __init__(self) -> None:
        super().__init__(
            "a leaf Variable that requires grad is being used in an in-place operation."
        )


class NonscalarBackwardError(AdcliError):
    kind = "nonscalar_backward"

    def __init__(self, dtype: object = None) -> None:
        # (torch names the dtype of a complex output: a real loss is what backward() needs)
        super().__init__("grad can be implicitly created only for scalar outputs" if dtype is None
                         else "grad can be implicitly created only for real scalar outputs but "
                              f"got {dtype!r}")


class NoGradFnError(AdcliError):
    kind = "no_grad_fn"

    def __init__(self, index: int = 0) -> None:
        super().__init__(
            f"element {index} of tensors does not require grad and does not have a grad_fn"
        )


class ShapeMismatchError(AdcliError):
    kind = "shape_mismatch"


def broadcast_mismatch(a: tuple[int, ...], b: tuple[int, ...]) -> str | None:
    """torch's infer_size message for shapes ``a`` and ``b`` that do not broadcast (None when
    they do). Like torch, the first clash from the *right* is named, by its dimension in the
    broadcast shape."""
    n = max(len(a), len(b))
    for i in range(n - 1, -1, -1):
        x = a[i - n + len(a)] if i - n + len(a) >= 0 else 1
        y = b[i - n + len(b)] if i - n + len(b) >= 0 else 1
        if x != y and x != 1 and y != 1:
            return (f"The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                    f"non-singleton dimension {i}")
    return None


_NUMPY_BROADCAST = "operands could not be broadcast together with shapes "


def from_numpy_broadcast(exc: BaseException) -> ShapeMismatchError | None:
    """NumPy's broadcast ValueError between two operands as torch's RuntimeError (a formula
    in backward meeting a saved tensor an unpack hook gave another shape), else None."""
    msg = str(exc)
    if type(exc) is not ValueError or not msg.startswith(_NUMPY_BROADCAST):
        return None
    shapes = msg[len(_NUMPY_BROADCAST):].split()
    if len(shapes) != 2:
        return None
    try:
        a, b = (tuple(int(d) for d in s.strip("()").split(",") if d) for s in shapes)
    except ValueError:
        return None
    text = broadcast_mismatch(a, b)
    return ShapeMismatchError(text) if text else None


class InvalidArgumentError(AdcliError):
    kind = "invalid_argument"


ERROR_KINDS: dict[str, type[AdcliError]] = {
    cls.kind: cls
    for cls in (
        GraphFreedError,
        InplaceModifiedError,
        LeafInplaceError,
        NonscalarBackwardError,
        NoGradFnError,
        ShapeMismatchError,
        InvalidArgumentError,
    )
}


class IndexOutOfRangeError(InvalidArgumentError, IndexError):
    """An index or dimension out of range: PyTorch raises IndexError, so ``except IndexError``
    catches it (and ``except RuntimeError`` still does)."""


class InvalidValueError(InvalidArgumentError, ValueError):
    """An argument PyTorch rejects with ValueError (``arange`` with a zero step)."""


class InvalidTypeError(InvalidArgumentError, TypeError):
    """An argument of a type PyTorch rejects with TypeError (a non-ByteTensor RNG state;
    len, index and iter of a 0-d tensor, where Python's protocols need a TypeError)."""


class NotImplementedDerivativeError(InvalidArgumentError, NotImplementedError):
    """Backward through a node PyTorch records without a formula (Unique2Backward0, ...):
    PyTorch raises NotImplementedError."""


class NotImplementedArgumentError(InvalidArgumentError, NotImplementedError):
    """An argument PyTorch rejects with NotImplementedError (an unknown padding mode, a padding
    size its non-constant modes have no kernel for, a dtype a kernel lacks)."""


class ComplexNotAuditedError(NotImplementedArgumentError):
    """A complex tensor reached an op not yet audited for complex numbers (its values and its
    conjugate-Wirtinger gradient checked against torch): refused rather than silently wrong."""

    kind = "complex_not_audited"

    def __init__(self, op: str) -> None:
        super().__init__(
            f"adcli: {op} does not support complex tensors yet (the op is not audited for "
            "complex values and gradients; `adcli ops` lists the audited ones)")


class PluginError(AdcliError):
    """Code outside adcli (a plugin's op or custom Function) raised; the step fails."""

    kind = "plugin_error"
