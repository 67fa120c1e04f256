"""Searching, membership and classification (no gradient: integer or boolean results):
argsort, argwhere/nonzero, count_nonzero, isin, searchsorted, bucketize, isinf/isposinf/
isneginf; the comparison aliases (greater, less, ...); and the torch.<name> forms of
functional ops torch exposes at top level (torch.dropout(input, p, train), torch.selu, ...).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InvalidArgumentError
from ..tensor import Tensor, _wrap_dim
from .activations import alpha_dropout, celu, dropout, feature_alpha_dropout, prelu, selu
from .arithmetic import ge, gt, le, lt, ne
from .indexing import embedding
from .linalg import bilinear
from .normalization import cosine_similarity, layer_norm
from .scan_sort import sort


def _new(arr: np.ndarray) -> Tensor:
    return Tensor._make(np.asarray(arr).copy(order="C"), None, 0, None)


def argsort(input: Tensor, dim: int = -1, descending: bool = False, *,
            stable: bool = False) -> Tensor:
    return sort(input, dim, descending, stable=stable).indices


def nonzero(input: Tensor, *, as_tuple: bool = False) -> Any:
    idx = np.argwhere(input._data) if input._data.ndim else np.argwhere(
        input._data.reshape(1))[:, :0]
    idx = idx.astype(np.int64)
    if as_tuple:
        if not input._data.ndim:
            return (_new(np.zeros(int(bool(input._data)), dtype=np.int64)),)
        return tuple(_new(idx[:, i]) for i in range(idx.shape[1]))
    return _new(idx)


def argwhere(input: Tensor) -> Tensor:
    return nonzero(input)


def count_nonzero(input: Tensor, dim: Any = None) -> Tensor:
    nd = input._data.ndim
    if dim is None:
        axes = None
    else:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        axes = tuple(_wrap_dim(d, max(nd, 1)) for d in dims)  # a 0-d tensor takes 0 and -1
        if len(set(axes)) != len(axes):
            raise InvalidArgumentError(f"dim {axes[0]} appears multiple times in the list of "
                                       "dims")
        if nd == 0:
            axes = None
    return _new(np.asarray(np.count_nonzero(input._data, axis=axes), dtype=np.int64))


def isin(elements: Any, test_elements: Any, *, assume_unique: bool = False,
         invert: bool = False) -> Tensor:
    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError("isin() received an invalid combination of arguments: at least one of "
                        "elements and test_elements must be a Tensor")
    a = elements._data if isinstance(elements, Tensor) else np.asarray(elements)
    b = test_elements._data if isinstance(test_elements, Tensor) else np.asarray(test_elements)
    return _new(np.isin(a, b, invert=invert))


def _out_int32(out_int32: bool) -> None:
    if out_int32:
        raise InvalidArgumentError("out_int32=True: adcli has no dtype torch.int32 (its dtypes: "
                                   "float32, float64, int64, bool, uint8)")


def searchsorted(sorted_sequence: Tensor, input: Any, *, out_int32: bool = False,
                 right: bool = False, side: str | None = None, sorter: Tensor | None = None,
                 ) -> Tensor:
    _out_int32(out_int32)
    if side is not None:
        if side not in ("left", "right"):
            raise InvalidArgumentError("torch.searchsorted(): side can only be 'left' or "
                                       f"'right' but got {side}")
        if right and side == "left":
            raise InvalidArgumentError("torch.searchsorted(): side and right can't be set to "
                                       "opposites, got side of left while right was True")
        right = side == "right"
    seq = sorted_sequence._data
    if sorter is not None:
        seq = np.take_along_axis(seq, sorter._data, -1)
    scalar = not isinstance(input, Tensor)
    vals = np.asarray(input) if scalar else input._data
    how = "right" if right else "left"
    if seq.ndim == 0:
        if vals.ndim == 0:
            raise InvalidArgumentError(
                "torch.searchsorted(): input value can be a scalar only when boundaries tensor "
                "dimension is 1, but we got boundaries tensor dim(0) and input value's dim(0) "
                "numel(1)")
        raise InvalidArgumentError(
            "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
            "dimensions of boundaries tensor and input value tensor must match, but we got "
            f"boundaries tensor [] and input value tensor {list(vals.shape)}")
    if seq.ndim <= 1:
        out = np.searchsorted(seq, vals, side=how)
    else:
        if vals.shape[:-1] != seq.shape[:-1]:
            raise InvalidArgumentError(
                "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
                "dimensions of boundaries tensor and input value tensor must match, but we got "
                f"boundaries tensor {list(seq.shape)} and input value tensor {list(vals.shape)}")
        if vals.size == 0 or seq.shape[-1] == 0:  # nothing to search, or nowhere: index 0
            return _new(np.zeros(vals.shape, dtype=np.int64))
        flat_s = seq.reshape(-1, seq.shape[-1])
        flat_v = vals.reshape(-1, vals.shape[-1])
        out = np.stack([np.searchsorted(s, v, side=how) for s, v in zip(flat_s, flat_v,
                                                                        strict=True)])
        out = out.reshape(vals.shape)
    return _new(np.asarray(out, dtype=np.int64))


def bucketize(input: Any, boundaries: Tensor, *, out_int32: bool = False,
              right: bool = False) -> Tensor:
    if boundaries._data.ndim != 1:
        raise InvalidArgumentError("boundaries tensor must be 1 dimension, but got dim("
                                   f"{boundaries._data.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


def isinf(input: Tensor) -> Tensor:
    return _new(np.isinf(input._data) if input._data.dtype.kind == "f"
                else np.zeros(input._data.shape, dtype=bool))


def isposinf(input: Tensor) -> Tensor:
    return _new(np.isposinf(input._data) if input._data.dtype.kind == "f"
                else np.zeros(input._data.shape, dtype=bool))


def isneginf(input: Tensor) -> Tensor:
    return _new(np.isneginf(input._data) if input._data.dtype.kind == "f"
                else np.zeros(input._data.shape, dtype=bool))


def isreal(input: Tensor) -> Tensor:
    return _new(np.ones(input._data.shape, dtype=bool))


# -- torch.<name> forms of functional ops, with torch's top-level signatures --
def _dropout(name: str, fn: Any) -> Any:
    def top(input: Tensor, p: float, train: bool) -> Tensor:
        return fn(input, p, train)

    top.__name__ = name
    return top


def _layer_norm(input: Tensor, normalized_shape: Any, weight: Tensor | None = None,
                bias: Tensor | None = None, eps: float = 1e-05,
                cudnn_enable: bool = True) -> Tensor:
    return layer_norm(input, normalized_shape, weight, bias, eps)


def _embedding(weight: Tensor, indices: Tensor, padding_idx: int = -1,
               scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    return embedding(indices, weight, None if padding_idx == -1 else padding_idx,
                     scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)


def _selu(input: Tensor) -> Tensor:
    return selu(input)


def _celu(input: Tensor, alpha: float = 1.0) -> Tensor:
    return celu(input, alpha)


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
_ALIASES = {"greater": gt, "greater_equal": ge, "less": lt, "less_equal": le, "not_equal": ne}

TORCH: dict[str, Any] = {
    "argsort": argsort, "nonzero": nonzero, "argwhere": argwhere, "count_nonzero": count_nonzero,
    "isin": isin, "searchsorted": searchsorted, "bucketize": bucketize, "isinf": isinf,
    "isposinf": isposinf, "isneginf": isneginf, "isreal": isreal, **_ALIASES,
    "dropout": _dropout("dropout", dropout),
    "alpha_dropout": _dropout("alpha_dropout", alpha_dropout),
    "feature_alpha_dropout": _dropout("feature_alpha_dropout", feature_alpha_dropout),
    "selu": _selu, "celu": _celu, "prelu": prelu, "bilinear": bilinear,
    "layer_norm": _layer_norm, "embedding": _embedding, "cosine_similarity": cosine_similarity,
}

METHODS: dict[str, Any] = {
    "argsort": argsort, "nonzero": nonzero, "argwhere": argwhere, "count_nonzero": count_nonzero,
    "isinf": isinf, "isposinf": isposinf, "isneginf": isneginf, "isreal": isreal, **_ALIASES,
    "prelu": prelu,
}

FUNCTIONAL: dict[str, Any] = {}
