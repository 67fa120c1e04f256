"""torch.<name> forms of functional ops, with PyTorch's top-level signatures: kl_div and
binary_cross_entropy_with_logits (an int ``reduction``, none by default as torch's binding),
the in-place and feature dropouts (dropout_, alpha_dropout_, feature_dropout(_),
feature_alpha_dropout_; the same masks as F.dropout), and the ``native_*`` ops returning
PyTorch's tuples (native_layer_norm, native_batch_norm, native_group_norm, native_dropout with
NativeDropoutBackward0).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..errors import InvalidTypeError
from ..op import defop
from ..rng.ops import dropout_noise
from ..tensor import Tensor
from .activations import _dropout
from .losses import binary_cross_entropy_with_logits as _bce_logits
from .losses import kl_div as _kl_div
from .normalization import _batch_norm, layer_norm_op, native_group_norm_op

_REDUCTIONS = {0: "none", 1: "mean", 2: "sum"}

# ==============================================================================================
# the table: native_dropout
# ==============================================================================================


def _native_dropout(a: np.ndarray, mask: np.ndarray, scale: float = 1.0) -> np.ndarray:
    # PyTorch: input.mul(mask).mul_(scale), each rounded in the input's dtype
    return (a * mask) * a.dtype.type(scale)


native_dropout_op = defop("native_dropout", "NativeDropoutBackward0", _native_dropout,
                          torch="torch.native_dropout")


@native_dropout_op.grad("self")
def _native_dropout_self(g, s, B):
    "grad * (mask * scale)"
    m = s.mask.astype(s.dtype) * s.dtype.type(s.scale)
    return g * (Tensor._make(m, None, 0, None) if B.tensors else m)


# ==============================================================================================
# public functions
# ==============================================================================================
def _reduction(name: str, reduction: Any, position: int | None = None) -> str:
    if not isinstance(reduction, int) or isinstance(reduction, bool):
        where = "" if position is None else f" (position {position})"
        raise InvalidTypeError(f"{name}(): argument 'reduction'{where} must be int, not "
                               f"{type(reduction).__name__}")
    return _REDUCTIONS.get(reduction, "sum")  # (torch's Reduction enum: any other is "sum")


def kl_div(input: Tensor, target: Tensor, *args: Any, reduction: Any = None,
           log_target: bool = False) -> Tensor:
    # (*args: torch's parser names the position of a positional argument in its TypeError)
    if args:
        reduction = args[0]
    red = _reduction("kl_div", 0 if reduction is None else reduction, 3 if args else None)
    with warnings.catch_warnings():  # (F.kl_div's 'mean' warning is the Python wrapper's)
        warnings.simplefilter("ignore")
        return _kl_div(input, target, reduction=red, log_target=log_target)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, *args: Any,
                                     weight: Tensor | None = None,
                                     pos_weight: Tensor | None = None,
                                     reduction: Any = None) -> Tensor:
    given = dict(zip(("weight", "pos_weight", "reduction"), args))
    weight, pos_weight = given.get("weight", weight), given.get("pos_weight", pos_weight)
    reduction = given.get("reduction", 0 if reduction is None else reduction)
    red = _reduction("binary_cross_entropy_with_logits", reduction,
                     5 if len(args) == 3 else None)
    return _bce_logits(input, target, weight, reduction=red, pos_weight=pos_weight)


def dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    return _dropout(input, p, train, True)


def alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    return _dropout(input, p, train, True, alpha=True)


def feature_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    return _dropout(input, p, train, False, feature=True)


def feature_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    return _dropout(input, p, train, True, feature=True)


def feature_alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    return _dropout(input, p, train, True, feature=True, alpha=True)


def native_dropout(input: Tensor, p: float, train: bool | None) -> tuple[Tensor, Tensor]:
    a = input._data
    if not a.size:
        return input, Tensor._make(np.empty(a.shape, dtype=a.dtype), None, 0, None)
    if train is None or train:
        p1m = 1.0 - p
        scale = 0.0 if p1m == 0 else 1.0 / p1m
        # the mask F.dropout draws (bernoulli_(1 - p) on the CPU generator)
        noise, _ = dropout_noise(a, p)
        mask = noise > 0  # (p = 1: 0 / 0 is nan, no element kept)
    else:
        scale, mask = 1.0, np.ones(a.shape, dtype=bool)
    out = native_dropout_op(input, mask=mask, scale=scale)
    return out, Tensor._make(mask, None, 0, None)


def native_layer_norm(input: Tensor, normalized_shape: Any, weight: Tensor | None,
                      bias: Tensor | None, eps: float) -> tuple[Tensor, Tensor, Tensor]:
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    out, mean, rstd = layer_norm_op(input, weight, bias,
                                    normalized_shape=tuple(int(n) for n in shape), eps=eps)
    return out, mean, rstd


def native_batch_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None,
                      running_mean: Tensor | None, running_var: Tensor | None, training: bool,
                      momentum: float, eps: float) -> tuple[Tensor, Tensor, Tensor]:
    return _batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps,
                       stats_too=True)


def native_group_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None, N: int, C: int,
                      HxW: int, group: int, eps: float) -> tuple[Tensor, Tensor, Tensor]:
    out, mean, rstd = native_group_norm_op(input, weight, bias, N=int(N), C=int(C),
                                           HxW=int(HxW), group=int(group), eps=eps)
    return out, mean, rstd


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {
    "kl_div": kl_div, "binary_cross_entropy_with_logits": binary_cross_entropy_with_logits,
    "dropout_": dropout_, "alpha_dropout_": alpha_dropout_, "feature_dropout": feature_dropout,
    "feature_dropout_": feature_dropout_, "feature_alpha_dropout_": feature_alpha_dropout_,
    "native_dropout": native_dropout, "native_layer_norm": native_layer_norm,
    "native_batch_norm": native_batch_norm, "native_group_norm": native_group_norm,
}

METHODS: dict[str, Any] = {}

FUNCTIONAL: dict[str, Any] = {}
