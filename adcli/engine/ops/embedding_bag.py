"""``F.embedding_bag``: sums, means or maxima of bags of embedding rows, as PyTorch's
``_embedding_bag`` (node ``EmbeddingBagBackward0``, edges to ``weight`` and
``per_sample_weights``), and ``torch.embedding_renorm_`` (what ``max_norm`` runs).

The weight's gradient mirrors ATen's CPU kernel ``_embedding_bag_dense_backward_cpu`` (indices
sorted, one pass per distinct index, ``scale_grad_by_freq`` dividing by the count ATen reads);
``per_sample_weights``' gradient is ``_embedding_bag_per_sample_weights_backward`` (a dot per
sample). PyTorch has no derivative for either: under ``create_graph`` they record
``EmbeddingBagBackwardBackward0`` and ``NotImplemented`` nodes that raise in backward.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..dtypes import from_numpy
from ..errors import InvalidArgumentError
from ..grad_mode import no_grad
from ..op import OpDef, defop
from ..tensor import Tensor
from .arithmetic import NotImplementedOp
from .common import as_tensor
from .kernels import KERNELS

_MODES = {"sum": 0, "mean": 1, "max": 2}

# ==============================================================================================
# the table: forward and derivative formulas
# ==============================================================================================


def _bags(offsets: np.ndarray, n: int, include_last_offset: bool) -> tuple[np.ndarray, int]:
    """offset2bag (the bag of each index position, as ATen's make_offset2bag) and the number
    of bags."""
    num_bags = len(offsets) - 1 if include_last_offset else len(offsets)
    starts = offsets[:num_bags]
    offset2bag = np.searchsorted(starts, np.arange(n), side="right") - 1
    return offset2bag.astype(np.int64), num_bags


def _forward(weight: np.ndarray, psw: np.ndarray | None, indices: np.ndarray,
             offsets: np.ndarray, mode: int, include_last_offset: bool,
             padding_idx: int) -> Any:
    n, d = len(indices), weight.shape[1]
    offset2bag, num_bags = _bags(offsets, n, include_last_offset)
    end = int(offsets[-1]) if include_last_offset else n
    out = np.zeros((num_bags, d), dtype=weight.dtype)
    bag_size = np.zeros(num_bags, dtype=np.int64)
    max_indices = np.zeros((num_bags, d) if mode == 2 else num_bags, dtype=np.int64)
    keep = (indices[:end] != padding_idx) & (offset2bag[:end] >= 0)
    pos = np.nonzero(keep)[0]
    bags, rows = offset2bag[pos], indices[pos]
    np.add.at(bag_size, bags, 1)
    if mode == 2:
        seen = np.zeros(num_bags, dtype=bool)
        for b, r in zip(bags, rows):
            row = weight[r]
            # the first row of a bag, then any strictly larger value (ATen's order)
            better = row > out[b] if seen[b] else np.ones(d, dtype=bool)
            seen[b] = True
            out[b] = np.where(better, row, out[b])
            max_indices[b] = np.where(better, r, max_indices[b])
    else:
        vals = weight[rows]
        if psw is not None:
            vals = vals * psw[pos][:, None]
        np.add.at(out, bags, vals)
        if mode == 1:
            nz = bag_size > 0
            out[nz] = out[nz] / bag_size[nz, None].astype(out.dtype)
            max_indices = bag_size.copy()
    return out, offset2bag, bag_size, max_indices


def _dense_backward(g: np.ndarray, psw: np.ndarray | None, indices: np.ndarray,
                    offset2bag: np.ndarray, bag_size: np.ndarray, max_indices: np.ndarray,
                    num_weights: int, scale_grad_by_freq: bool, mode: int,
                    padding_idx: int) -> np.ndarray:
    """ATen's _embedding_bag_dense_backward_cpu (sum/mean and max)."""
    out = np.zeros((num_weights, g.shape[1]), dtype=g.dtype)
    if mode == 2:
        cols = np.arange(g.shape[1])
        for b in np.nonzero(bag_size > 0)[0]:
            np.add.at(out, (max_indices[b], cols), g[b])
        return out
    order = np.argsort(indices, kind="stable")
    srt = indices[order]
    counts = np.bincount(indices, minlength=num_weights)
    starts = np.flatnonzero(np.r_[True, srt[1:] != srt[:-1]]) if len(srt) else []
    for i, s in enumerate(starts):
        index = int(srt[s])
        if index == padding_idx:
            continue
        for j in range(s, s + int(counts[index])):
            source = offset2bag[order[j]]
            scale = 1.0 if psw is None else float(psw[order[j]])
            if scale_grad_by_freq:
                # as ATen: the count of the i-th sorted index, i counting distinct indices
                scale /= float(counts[srt[i]])
            if mode == 1 and bag_size[source] != 0:
                scale /= float(bag_size[source])
            out[index] += g.dtype.type(scale) * g[source]
    return out


def _psw_backward(g: np.ndarray, weight: np.ndarray, indices: np.ndarray,
                  offset2bag: np.ndarray, padding_idx: int) -> np.ndarray:
    """ATen's _embedding_bag_per_sample_weights_backward: a dot per sample."""
    out = np.zeros(len(indices), dtype=g.dtype)
    keep = indices != padding_idx
    out[keep] = np.einsum("ij,ij->i", g[offset2bag[keep]], weight[indices[keep]])
    return out


def _bag_op_forward(weight: np.ndarray, psw: np.ndarray | None, **a: Any) -> Any:
    return _forward(weight, psw, a["indices"], a["offsets"], a["mode"],
                    a["include_last_offset"], a["padding_idx"])


embedding_bag_op = defop("embedding_bag", "EmbeddingBagBackward0", _bag_op_forward,
                         inputs=("weight", "per_sample_weights"),
                         save=("weight", "per_sample_weights"),
                         extras=("offset2bag", "bag_size", "max_indices"),
                         torch="torch.nn.functional.embedding_bag")


@embedding_bag_op.grad_all
def _embedding_bag_grads(g, s, B, needs):
    """weight: _embedding_bag_backward (ATen's dense kernel); per_sample_weights:
    _embedding_bag_per_sample_weights_backward (a dot of grad and the row, per sample)"""
    psw = s.per_sample_weights
    gw = gp = None
    if needs[0]:
        gw = B.embedding_bag_backward(g, psw, s.indices, s.offset2bag, s.bag_size,
                                      s.max_indices, s.in_shape[0], s.scale_grad_by_freq,
                                      s.mode, s.padding_idx)
    if len(needs) > 1 and needs[1]:
        gp = B.embedding_bag_per_sample_weights_backward(g, s.weight, s.indices, s.offset2bag,
                                                         s.padding_idx)
    return gw, gp


# Under create_graph: PyTorch records the weight's gradient as EmbeddingBagBackwardBackward0
# and per_sample_weights' as NotImplemented; neither has a derivative (backward raises).
def _bag_backward_forward(g: np.ndarray, psw: np.ndarray | None, **a: Any) -> np.ndarray:
    return _dense_backward(g, psw, a["indices"], a["offset2bag"], a["bag_size"],
                           a["max_indices"], a["num_weights"], a["scale_grad_by_freq"],
                           a["mode"], a["padding_idx"])


embedding_bag_backward_op = OpDef("embedding_bag_backward", "EmbeddingBagBackwardBackward0",
                                  _bag_backward_forward, inputs=("grad", "per_sample_weights"))


@embedding_bag_backward_op.grad_all
def _embedding_bag_backward_grads(g, s, B, needs):
    "not implemented, as in PyTorch"
    raise NotImplementedError("the derivative for '_embedding_bag_backward' is not implemented.")


def _bag_backward_recorded(g: Tensor, psw: Tensor | None, indices: np.ndarray,
                           offset2bag: np.ndarray, bag_size: np.ndarray,
                           max_indices: np.ndarray, num_weights: int, scale_grad_by_freq: bool,
                           mode: int, padding_idx: int) -> Tensor:
    return embedding_bag_backward_op(g, psw, indices=indices, offset2bag=offset2bag,
                                     bag_size=bag_size, max_indices=max_indices,
                                     num_weights=num_weights,
                                     scale_grad_by_freq=scale_grad_by_freq, mode=mode,
                                     padding_idx=padding_idx)


def _psw_backward_forward(g: np.ndarray, weight: np.ndarray, **a: Any) -> np.ndarray:
    return _psw_backward(g, weight, a["indices"], a["offset2bag"], a["padding_idx"])


psw_backward_ni = NotImplementedOp("embedding_bag_per_sample_weights_backward",
                                   "aten::_embedding_bag_per_sample_weights_backward",
                                   _psw_backward_forward, inputs=("grad", "weight"))


def _psw_backward_recorded(g: Tensor, weight: Tensor, indices: np.ndarray,
                           offset2bag: np.ndarray, padding_idx: int) -> Tensor:
    return psw_backward_ni(g, weight, indices=indices, offset2bag=offset2bag,
                           padding_idx=padding_idx)


KERNELS["embedding_bag_backward"] = (_dense_backward, _bag_backward_recorded)
KERNELS["embedding_bag_per_sample_weights_backward"] = (_psw_backward, _psw_backward_recorded)


# ==============================================================================================
# public functions
# ==============================================================================================


def embedding_renorm_(weight: Tensor, input: Tensor, max_norm: float,
                      norm_type: float) -> Tensor:
    """Rows of ``weight`` that ``input`` looks up, scaled in place (without recording) to a
    ``norm_type``-norm of at most ``max_norm`` (``max_norm / (norm + 1e-7)``, as ATen)."""
    idx = np.unique(np.asarray(as_tensor(input)._data).reshape(-1))
    with no_grad():
        w = weight.detach()
        rows = w._data[idx]
        if norm_type == np.inf:
            norms = np.abs(rows).max(axis=1)
        else:
            norms = (np.abs(rows) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
        big = norms > max_norm
        if big.any():
            scale = (max_norm / (norms[big] + 1e-7)).astype(rows.dtype)
            sel = Tensor._make(idx[big].astype(np.int64), None, 0, None)
            w[sel] = Tensor._make(rows[big] * scale[:, None], None, 0, None)
        else:
            w._vc[0] += 1  # an in-place op: the version moves even when no row changes
    return weight


def _int_check(t: Tensor, name: str, arg: int) -> np.ndarray:
    a = np.asarray(t._data)
    if a.dtype not in (np.int64, np.int32):
        raise InvalidArgumentError(
            f"Expected tensor for argument #{arg} '{name}' to have one of the following scalar "
            f"types: Long, Int; but got torch.{from_numpy(a.dtype).legacy} instead (while "
            "checking arguments for embedding_bag)")
    return a.astype(np.int64, copy=False)


def embedding_bag(input: Tensor, weight: Tensor, offsets: Tensor | None = None,
                  max_norm: float | None = None, norm_type: float = 2,
                  scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                  per_sample_weights: Tensor | None = None, include_last_offset: bool = False,
                  padding_idx: int | None = None) -> Tensor:
    """Sums, means or maxima of bags of ``weight``'s rows: a 2-D ``input`` is one bag per row;
    a 1-D one is split at ``offsets`` (``include_last_offset``: the last offset ends the last
    bag). ``per_sample_weights`` scales each row (``mode="sum"`` only); ``padding_idx`` rows
    are left out (and not counted in a mean)."""
    import warnings

    from ..ranges import arange

    if weight.dtype.name == "int64" and input.is_floating_point():
        warnings.warn("Argument order of nn.functional.embedding_bag was changed. Usage "
                      "`embedding_bag(weight, input, ...)` is deprecated, and should now be "
                      "`embedding_bag(input, weight, ...)`.", stacklevel=2)
        weight, input = input, weight
    if per_sample_weights is not None and input.size() != per_sample_weights.size():
        raise ValueError(
            f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not None, "
            f"then it must have the same shape as the input ({input.shape})")
    if weight.dim() != 2:
        raise ValueError(
            f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.dim()}")
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError(
                "if input is 2D, then offsets has to be None, as input is treated is a "
                "mini-batch of fixed length sequences. However, found offsets of type "
                f"{type(offsets)}".replace("adcli.engine.tensor.Tensor", "torch.Tensor"))
        offsets = arange(0, input.numel(), input.size(1), dtype=input.dtype)
        include_last_offset = False
        input = input.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
    else:
        raise ValueError(
            f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.dim()}")
    if mode not in _MODES:
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max":
        if scale_grad_by_freq:
            raise ValueError("max mode does not support scaling the gradient by the frequency")
        if sparse:
            raise ValueError("max mode does not support sparse weights")
    if max_norm is not None:
        embedding_renorm_(weight, input, max_norm, norm_type)
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(
            "embedding_bag: per_sample_weights was not None. per_sample_weights is only "
            f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
            "GitHub.")
    out, *_ = _embedding_bag(weight, input, offsets, scale_grad_by_freq, mode, sparse,
                             per_sample_weights, include_last_offset, padding_idx)
    return out


def _embedding_bag(weight: Tensor, input: Tensor, offsets: Tensor, scale_grad_by_freq: bool,
                   mode: str, sparse: bool, per_sample_weights: Tensor | None,
                   include_last_offset: bool, padding_idx: int | None) -> tuple[Tensor, ...]:
    """ATen's _embedding_bag: its checks, then (output, offset2bag, bag_size, max_indices)."""
    if sparse:
        raise InvalidArgumentError("embedding_bag: sparse gradients are not supported by adcli")
    idx = _int_check(input, "indices", 1)
    offs = _int_check(offsets, "offsets", 1)
    n = weight.shape[0]
    if padding_idx is None:
        padding_idx = -1
    elif padding_idx >= 0:
        if padding_idx >= n:
            raise InvalidArgumentError(
                f"padding_idx must be within the number of embeddings, -{n} through {n - 1}, "
                f"but got {padding_idx}")
    else:
        if padding_idx < -n:
            raise InvalidArgumentError(
                f"padding_idx must be within the number of embeddings, -{n} through {n - 1}, "
                f"but got {padding_idx}")
        padding_idx = n + padding_idx
    if len(offs) and offs[0] != 0:
        # ATen prints offsets[0] as a 0-d tensor of the indices' and offsets' promoted type
        kind = "Int" if np.asarray(input._data).dtype == np.asarray(offsets._data).dtype \
            == np.int32 else "Long"
        raise InvalidArgumentError(
            "offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start "
            f"from position 0. However, got {int(offs[0])}\n[ torch.{kind}Tensor{{}} ]")
    if len(offs) and offs[-1] > len(idx):
        raise InvalidArgumentError(
            f"offsets[-1] can not be greater than input's length {len(idx)} but got "
            f"offsets[-1] of {int(offs[-1])}")
    bad = np.nonzero((idx < 0) | (idx >= n))[0]
    if bad.size:
        k = int(bad[0])
        if weight.dtype.name == "float32" and mode != "max":  # ATen's fbgemm path's text
            raise InvalidArgumentError(f"Index {k} of input takes value {int(idx[k])} which is "
                                       f"not in the valid range [0, {n})")
        raise InvalidArgumentError("embedding_bag: Expected idx >= 0 && idx < num_embeddings "
                                   f"but found idx to be {int(idx[k])}")
    return embedding_bag_op(weight, per_sample_weights, indices=idx, offsets=offs,
                            mode=_MODES[mode], include_last_offset=bool(include_last_offset),
                            padding_idx=padding_idx, scale_grad_by_freq=scale_grad_by_freq)


def torch_embedding_bag(weight: Tensor, indices: Tensor, offsets: Tensor,
                        scale_grad_by_freq: bool = False, mode: int = 0, sparse: bool = False,
                        per_sample_weights: Tensor | None = None,
                        include_last_offset: bool = False,
                        padding_idx: int | None = None) -> tuple[Tensor, ...]:
    """``torch.embedding_bag`` (ATen's op, ``mode`` 0 sum, 1 mean, 2 max): the bags and the
    bookkeeping ATen returns with them (offset2bag, bag_size, max_indices)."""
    names = {v: k for k, v in _MODES.items()}
    if int(mode) not in names:
        raise InvalidArgumentError("`mode` must be sum, mean, or max.")
    bags, *extras = _embedding_bag(weight, indices, offsets, scale_grad_by_freq,
                                   names[int(mode)], sparse, per_sample_weights,
                                   include_last_offset, padding_idx)
    offset2bag, bag_size, max_indices = (np.asarray(t._data if isinstance(t, Tensor) else t)
                                         for t in extras)
    if int(mode) == 0:
        # ATen's sum kernels leave bag_size and max_indices as zeros (one per bag, or one
        # per offset in its forward-only form, run when nothing needs a gradient), and its
        # float32 fast path (no padding_idx) does not fill offset2bag either
        from ..grad_mode import is_grad_enabled

        grads = is_grad_enabled() and (weight.requires_grad or (
            per_sample_weights is not None and per_sample_weights.requires_grad))
        bag_size = max_indices = np.zeros(len(bags) if grads else len(offsets._data),
                                          dtype=np.int64)
        if weight._data.dtype == np.float32 and padding_idx is None:
            offset2bag = np.zeros(0, dtype=np.int64)
    return (bags, *(Tensor._make(np.array(x, dtype=np.int64), None, 0, None)
                    for x in (offset2bag, bag_size, max_indices)))


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {"embedding_bag": torch_embedding_bag,
                         "embedding_renorm_": embedding_renorm_}
METHODS: dict[str, Any] = {}
FUNCTIONAL: dict[str, Any] = {"embedding_bag": embedding_bag}
