"""Lazy modules, as torch's ``nn.modules.lazy`` and the ``Lazy*`` classes beside their layers.

A lazy module holds ``UninitializedParameter``/``UninitializedBuffer`` until its first call:
a forward pre-hook infers the missing size from the input (``in_features``, ``in_channels``,
``num_features``), materializes the tensors, runs the layer's own ``reset_parameters`` (so the
same seed draws torch's values) and turns the module into the layer (``LazyLinear`` becomes a
``Linear``). A lazy module loads an initialized ``state_dict`` by materializing first.
"""

from __future__ import annotations

import itertools
from typing import Any

from adcli.engine import creation
from adcli.engine.grad_mode import no_grad
from adcli.engine.tensor import Tensor

from ..parameter import UninitializedBuffer, UninitializedParameter, is_lazy
from .batchnorm import BatchNorm1d, BatchNorm2d, BatchNorm3d, _BatchNorm, _NormBase
from .conv import (
    Conv1d,
    Conv2d,
    Conv3d,
    ConvTranspose1d,
    ConvTranspose2d,
    ConvTranspose3d,
)
from .instancenorm import InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, _InstanceNorm
from .linear import Linear

__all__ = [
    "LazyModuleMixin", "LazyLinear", "LazyConv1d", "LazyConv2d", "LazyConv3d",
    "LazyConvTranspose1d", "LazyConvTranspose2d", "LazyConvTranspose3d", "LazyBatchNorm1d",
    "LazyBatchNorm2d", "LazyBatchNorm3d", "LazyInstanceNorm1d", "LazyInstanceNorm2d",
    "LazyInstanceNorm3d",
]


class LazyModuleMixin:
    """Shape inference on the first call, then the module becomes ``cls_to_become``."""

    cls_to_become: type | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        self._initialize_hook = self.register_forward_pre_hook(  # type: ignore[attr-defined]
            self._infer_parameters, with_kwargs=True)

    def _save_to_state_dict(self, destination: dict[str, Any], prefix: str,
                            keep_vars: bool) -> None:
        # As torch's: uninitialized tensors go in as they are (they cannot be detached).
        for name, param in self._parameters.items():  # type: ignore[attr-defined]
            if param is not None:
                destination[prefix + name] = (param if is_lazy(param) or keep_vars
                                              else param.detach())
        for name, buf in self._buffers.items():  # type: ignore[attr-defined]
            if buf is not None and name not in self._non_persistent_buffers_set:  # type: ignore[attr-defined]
                destination[prefix + name] = buf if is_lazy(buf) or keep_vars else buf.detach()

    def _load_from_state_dict(self, state_dict: dict[str, Any], prefix: str,
                              local_metadata: dict[str, Any], strict: bool,
                              missing_keys: list[str], unexpected_keys: list[str],
                              error_msgs: list[str]) -> None:
        # torch's _lazy_load_hook (a load pre-hook there): an uninitialized tensor takes the
        # shape of the initialized one being loaded.
        for name, param in itertools.chain(self._parameters.items(),  # type: ignore[attr-defined]
                                           self._buffers.items()):  # type: ignore[attr-defined]
            key = prefix + name
            if key in state_dict and param is not None and is_lazy(param):
                input_param = state_dict[key]
                if not is_lazy(input_param):
                    with no_grad():
                        param.materialize(input_param.shape)
        super()._load_from_state_dict(state_dict, prefix,  # type: ignore[misc]
                                      local_metadata, strict, missing_keys, unexpected_keys,
                                      error_msgs)

    def initialize_parameters(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError(
            f"initialize_parameters is not implemented for {self.__class__.__name__}")

    def has_uninitialized_params(self) -> bool:
        """Whether a parameter or buffer of this module is still uninitialized."""
        return any(is_lazy(t) for t in itertools.chain(
            self._parameters.values(), self._buffers.values()))  # type: ignore[attr-defined]

    def _infer_parameters(self, module: Any, args: Any, kwargs: Any = None) -> None:
        module.initialize_parameters(*args, **(kwargs or {}))
        if module.has_uninitialized_params():
            raise RuntimeError(f"module {self._get_name()} has not been fully "  # type: ignore[attr-defined]
                               "initialized")
        module._initialize_hook.remove()
        delattr(module, "_initialize_hook")
        if module.cls_to_become is not None:
            module.__class__ = module.cls_to_become

    def _replicate_for_data_parallel(self) -> Any:
        raise RuntimeError("Modules with uninitialized parameters can't be used with "
                           "`DataParallel`. Run a dummy forward pass to correctly initialize the "
                           "modules")


# -- LazyLinear -----------------------------------------------------------------------------------
class LazyLinear(LazyModuleMixin, Linear):
    """A ``Linear`` whose ``in_features`` is ``input.shape[-1]`` of its first input."""

    cls_to_become = Linear

    def __init__(self, out_features: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(0, 0, False)
        self.weight = UninitializedParameter(dtype=dtype)
        self.out_features = out_features
        if bias:
            self.bias = UninitializedParameter(dtype=dtype)

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor) -> None:  # type: ignore[override]
        if self.has_uninitialized_params():
            with no_grad():
                self.in_features = input.shape[-1]
                self.weight.materialize((self.out_features, self.in_features))
                if self.bias is not None:
                    self.bias.materialize((self.out_features,))
                self.reset_parameters()
        if self.in_features == 0:
            if input.shape[-1] != self.weight.shape[-1]:
                raise AssertionError(
                    f"The in_features inferred from input: {input.shape[-1]} is not equal to "
                    f"in_features from self.weight: {self.weight.shape[-1]}")
            self.in_features = input.shape[-1]


# -- LazyConv*d / LazyConvTranspose*d --------------------------------------------------------
class _LazyConvXdMixin(LazyModuleMixin):
    groups: int
    transposed: bool
    in_channels: int
    out_channels: int
    kernel_size: tuple[int, ...]
    weight: Any
    bias: Any
    _spatial: int

    def _lazy_init(self, out_channels: int, bias: bool, dtype: Any) -> None:
        # The generated __init__ runs the layer's own __init__ (LazyModuleMixin's is skipped).
        self._initialize_hook = self.register_forward_pre_hook(  # type: ignore[attr-defined]
            self._infer_parameters, with_kwargs=True)
        self.weight = UninitializedParameter(dtype=dtype)
        self.out_channels = out_channels
        if bias:
            self.bias = UninitializedParameter(dtype=dtype)

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.in_channels != 0:
            super().reset_parameters()  # type: ignore[misc]

    def initialize_parameters(self, input: Tensor, *args: Any,  # type: ignore[override]
                              **kwargs: Any) -> None:
        if self.has_uninitialized_params():
            self.in_channels = self._get_in_channels(input)
            if self.in_channels % self.groups != 0:
                raise ValueError("in_channels must be divisible by groups")
            if self.transposed:
                self.weight.materialize((self.in_channels, self.out_channels // self.groups,
                                         *self.kernel_size))
            else:
                self.weight.materialize((self.out_channels, self.in_channels // self.groups,
                                         *self.kernel_size))
            if self.bias is not None:
                self.bias.materialize((self.out_channels,))
            self.reset_parameters()

    def _get_in_channels(self, input: Tensor) -> int:
        no_batch = self._spatial + 1
        if input.dim() not in (no_batch, no_batch + 1):
            raise RuntimeError(
                f"Expected {no_batch}D (unbatched) or {no_batch + 1}D (batched) input to "
                f"{self.__class__.__name__}, but got input of size: {input.shape}")
        return input.shape[1] if input.dim() == no_batch + 1 else input.shape[0]

    def _get_num_spatial_dims(self) -> int:
        return self._spatial


def _conv_class(name: str, base: type, spatial: int) -> type:
    def init(self: Any, out_channels: int, kernel_size: Any, stride: Any = 1,
             padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
             padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        # bias=False here, as torch: no tensor that is thrown away at once
        base.__init__(self, 0, 0, kernel_size, stride, padding, dilation, groups, False,
                      padding_mode, device, dtype)
        self._lazy_init(out_channels, bias, dtype)

    doc = f"A ``{base.__name__}`` whose ``in_channels`` is inferred from its first input."
    return type(name, (_LazyConvXdMixin, base), {
        "__init__": init, "cls_to_become": base, "_spatial": spatial, "__doc__": doc,
        "__module__": __name__, "__qualname__": name})


def _conv_transpose_class(name: str, base: type, spatial: int) -> type:
    def init(self: Any, out_channels: int, kernel_size: Any, stride: Any = 1,
             padding: Any = 0, output_padding: Any = 0, groups: int = 1, bias: bool = True,
             dilation: Any = 1, padding_mode: str = "zeros", device: Any = None,
             dtype: Any = None) -> None:
        base.__init__(self, 0, 0, kernel_size, stride, padding, output_padding, groups, False,
                      dilation, padding_mode, device, dtype)
        self._lazy_init(out_channels, bias, dtype)

    doc = f"A ``{base.__name__}`` whose ``in_channels`` is inferred from its first input."
    return type(name, (_LazyConvXdMixin, base), {
        "__init__": init, "cls_to_become": base, "_spatial": spatial, "__doc__": doc,
        "__module__": __name__, "__qualname__": name})


LazyConv1d = _conv_class("LazyConv1d", Conv1d, 1)
LazyConv2d = _conv_class("LazyConv2d", Conv2d, 2)
LazyConv3d = _conv_class("LazyConv3d", Conv3d, 3)
LazyConvTranspose1d = _conv_transpose_class("LazyConvTranspose1d", ConvTranspose1d, 1)
LazyConvTranspose2d = _conv_transpose_class("LazyConvTranspose2d", ConvTranspose2d, 2)
LazyConvTranspose3d = _conv_transpose_class("LazyConvTranspose3d", ConvTranspose3d, 3)


# -- LazyBatchNorm*d / LazyInstanceNorm*d ----------------------------------------------------
class _LazyNormBase(LazyModuleMixin, _NormBase):
    def __init__(self, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:
        super().__init__(0, eps, momentum, False, False, device, dtype, bias=False)
        self.affine = affine
        self.track_running_stats = track_running_stats
        if self.affine:
            self.weight = UninitializedParameter(dtype=dtype)
            if bias:
                self.bias = UninitializedParameter(dtype=dtype)
        if self.track_running_stats:
            self.running_mean = UninitializedBuffer(dtype=dtype)
            self.running_var = UninitializedBuffer(dtype=dtype)
            self.num_batches_tracked = creation.tensor(0, dtype="int64")

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.num_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor) -> None:  # type: ignore[override]
        if self.has_uninitialized_params():
            self.num_features = input.shape[1]
            if self.affine:
                self.weight.materialize((self.num_features,))
                if self.bias is not None:
                    self.bias.materialize((self.num_features,))
            if self.track_running_stats:
                self.running_mean.materialize((self.num_features,))
                self.running_var.materialize((self.num_features,))
            self.reset_parameters()


def _norm_class(name: str, base: type, mixin: type, dims: tuple[int, ...]) -> type:
    want = " or ".join(f"{d}D" for d in dims)

    def _check_input_dim(self: Any, input: Tensor) -> None:
        if input.dim() not in dims:
            raise ValueError(f"expected {want} input (got {input.dim()}D input)")

    attrs: dict[str, Any] = {
        "cls_to_become": base, "_check_input_dim": _check_input_dim, "__module__": __name__,
        "__qualname__": name,
        "__doc__": f"A ``{base.__name__}`` whose ``num_features`` is ``input.size(1)`` of its "
                   "first input."}
    if mixin is _InstanceNorm:
        attrs["_no_batch_dim"] = dims[0]
    return type(name, (_LazyNormBase, mixin), attrs)


LazyBatchNorm1d = _norm_class("LazyBatchNorm1d", BatchNorm1d, _BatchNorm, (2, 3))
LazyBatchNorm2d = _norm_class("LazyBatchNorm2d", BatchNorm2d, _BatchNorm, (4,))
LazyBatchNorm3d = _norm_class("LazyBatchNorm3d", BatchNorm3d, _BatchNorm, (5,))
LazyInstanceNorm1d = _norm_class("LazyInstanceNorm1d", InstanceNorm1d, _InstanceNorm, (2, 3))
LazyInstanceNorm2d = _norm_class("LazyInstanceNorm2d", InstanceNorm2d, _InstanceNorm, (3, 4))
LazyInstanceNorm3d = _norm_class("LazyInstanceNorm3d", InstanceNorm3d, _InstanceNorm, (4, 5))
