"""Attention: ``F.scaled_dot_product_attention`` and ``F.multi_head_attention_forward`` (what
``nn.MultiheadAttention`` and the Transformer layers run).

Composites with no table ops of their own. ``scaled_dot_product_attention`` records torch's
math path (``_scaled_dot_product_attention_math``: q and k each scaled by sqrt(scale), matmul,
mask added, a softmax that gives 0 on fully masked rows, dropout, matmul); torch's CPU build
records it only with ``dropout_p > 0`` and otherwise runs a fused kernel
(``ScaledDotProductFlashAttentionForCpuBackward0``): the same values and gradients to rounding,
another graph. ``multi_head_attention_forward`` follows torch's Python function op for op.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from .. import dtypes
from ..errors import InvalidArgumentError
from ..tensor import Tensor
from .activations import dropout, softmax
from .arithmetic import add, logical_not, mul
from .blas import baddbmm
from .indexing import repeat_interleave
from .linalg import bmm, linear, matmul
from .padding import pad
from .pointwise_multi import where
from .reductions import mean
from .scatter import masked_fill
from .shape import cat, repeat, split, transpose, tril, unsqueeze

_NEG_INF = float("-inf")


def _const(array: np.ndarray) -> Tensor:
    return Tensor._make(array, None, 0, None)


def _is_float(t: Tensor) -> bool:
    return t._data.dtype.kind == "f"


def _safe_softmax(x: Tensor, dim: int) -> Tensor:
    """torch's ``_safe_softmax``: a row that is -inf everywhere gives zeros, not NaN."""
    dead = np.isneginf(x._data).all(axis=dim, keepdims=True)
    if not dead.any():
        return softmax(x, dim)
    m = _const(np.broadcast_to(dead, x._data.shape).copy())
    return masked_fill(softmax(masked_fill(x, m, 0.0), dim), m, 0.0)


def _bool_to_float(mask: Tensor, like: Tensor) -> Tensor:
    """torch's convert_boolean_attn_mask: True takes part (0.0), False is masked (-inf)."""
    zero = _const(np.zeros((), dtype=like._data.dtype))
    return where(logical_not(mask), _NEG_INF, zero)


# Which scaled_dot_product_attention backends the user allows (torch.backends.cuda.enable_*_sdp,
# torch.nn.attention.sdpa_kernel), and their priority order (SDPBackend values), as torch's
# defaults. Numerically nothing changes here; a CPU build checks that math or flash may run.
SDP_ENABLED = {"cudnn": True, "flash": True, "mem_efficient": True, "math": True,
               "overrideable": True}
SDP_PRIORITY = [1, 2, 0, 3, 4]


def _flash_refusal(query: Tensor, key: Tensor, value: Tensor, dropout_p: float) -> str | None:
    """Why torch's CPU flash kernel cannot run these inputs (its first failing check)."""
    if dropout_p > 0.0:
        return "Both fused kernels do not support non-zero dropout."
    if not (query.dim() == key.dim() == value.dim() == 4):
        return ("All fused kernels requires query, key and value to be 4 dimensional, but got "
                f"Query dim: {query.dim()}, Key dim: {key.dim()}, Value dim: {value.dim()} "
                "instead.")
    if not (query.shape[-1] == key.shape[-1] == value.shape[-1]):
        return ("Flash attention requires q,k,v to have the same last dimension. Got "
                f"Query.size(-1): {query.shape[-1]}, Key.size(-1): {key.shape[-1]}, "
                f"Value.size(-1): {value.shape[-1]} instead.")
    return None


def _check_sdp_backend(query: Tensor, key: Tensor, value: Tensor, dropout_p: float) -> None:
    """torch's CPU backend selection: flash if allowed and possible, else math if allowed."""
    if SDP_ENABLED["math"] and SDP_ENABLED["flash"]:
        return
    if not SDP_ENABLED["math"] and not SDP_ENABLED["flash"]:
        raise InvalidArgumentError(
            "No viable backend for scaled_dot_product_attention was found. This is likely due "
            "to turning off both the math kernel and the fused kernels.")
    if SDP_ENABLED["math"]:
        return
    why = _flash_refusal(query, key, value, dropout_p)
    if why is None:
        return
    warnings.warn("Flash attention kernel not used because:", stacklevel=3)
    warnings.warn(why, stacklevel=3)
    raise InvalidArgumentError("No available kernel.  Aborting execution.")


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Tensor | None = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """``softmax(q k^T * scale + mask) v`` over the last two dimensions (torch's math path)."""
    if not (SDP_ENABLED["math"] and SDP_ENABLED["flash"]):
        _check_sdp_backend(query, key, value, dropout_p)
    if min(query.dim(), key.dim(), value.dim()) < 2:
        raise InvalidArgumentError(
            "Expected query, key, and value to all be  at least 2 dimensional, but got "
            f"query.dim: {query.dim()} key.dim: {key.dim()} and value.dim: {value.dim()} "
            "instead.")
    neg = scale is not None and scale < 0
    e = query.shape[-1]
    factor = math.sqrt(abs(scale) if scale is not None else 1.0 / math.sqrt(e) if e else math.inf)
    q = mul(query, -factor if neg else factor)
    mask = attn_mask
    if mask is not None and mask._data.dtype == np.bool_:
        mask = _bool_to_float(mask, q)
    if is_causal:
        # torch's math path refuses both (its fused 4-D CPU kernel would apply both)
        if mask is not None:
            raise InvalidArgumentError("_scaled_dot_product_attention: Explicit attn_mask "
                                       "should not be set when is_causal=True")
        n_q, n_k = q.shape[-2], key.shape[-2]
        mask = _bool_to_float(tril(_const(np.ones((n_q, n_k), dtype=np.bool_))), q)
    if enable_gqa and query.dim() >= 3 and key.shape[-3] != query.shape[-3]:
        hq, hk, hv = query.shape[-3], key.shape[-3], value.shape[-3]
        if hq % hk or hq % hv:
            raise InvalidArgumentError(
                "Number of heads in key and value must divide the number of heads in ")
        key = repeat_interleave(key, hq // hk, dim=-3)
        value = repeat_interleave(value, hq // hv, dim=-3)
    attn = matmul(q, mul(transpose(key, -2, -1), factor))
    if mask is not None:
        attn = add(attn, mask)
    attn = _safe_softmax(attn, -1)
    if dropout_p > 0.0:
        attn = dropout(attn, dropout_p, True)
    return matmul(attn, value)


# ----------------------------------------------------------------------------------------------
# multi-head attention (torch.nn.functional.multi_head_attention_forward)
# ----------------------------------------------------------------------------------------------
def _none_or_dtype(input: Tensor | None) -> Any:
    if input is None:
        return None
    if isinstance(input, Tensor):
        return input.dtype
    raise InvalidArgumentError("input to _none_or_dtype() must be None or torch.Tensor")


def _canonical_mask(mask: Tensor | None, mask_name: str, other_type: Any, other_name: str,
                    target_type: Any, check_other: bool = True) -> Tensor | None:
    """A bool mask becomes a float one (-inf where True: those positions are left out)."""
    if mask is None:
        return None
    is_float = _is_float(mask)
    if mask._data.dtype != np.bool_ and not is_float:
        raise AssertionError(f"only bool and floating types of {mask_name} are supported")
    if check_other and other_type is not None and mask.dtype != other_type:
        warnings.warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. "
                      "Use same type for both instead.", stacklevel=3)
    if not is_float:
        floats = np.zeros(mask._data.shape, dtype=dtypes.to_dtype(target_type).np)
        floats[mask._data] = _NEG_INF
        mask = _const(floats)
    return mask


def _mha_shape_check(query: Tensor, key: Tensor, value: Tensor, key_padding_mask: Tensor | None,
                     attn_mask: Tensor | None, num_heads: int) -> bool:
    if query.dim() == 3:
        if key.dim() != 3 or value.dim() != 3:
            raise AssertionError(
                "For batched (3-D) `query`, expected `key` and `value` to be 3-D but found "
                f"{key.dim()}-D and {value.dim()}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 2:
            raise AssertionError(
                "For batched (3-D) `query`, expected `key_padding_mask` to be `None` or 2-D but "
                f"found {key_padding_mask.dim()}-D tensor instead")
        if attn_mask is not None and attn_mask.dim() not in (2, 3):
            raise AssertionError(
                "For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D but "
                f"found {attn_mask.dim()}-D tensor instead")
        return True
    if query.dim() == 2:
        if key.dim() != 2 or value.dim() != 2:
            raise AssertionError(
                "For unbatched (2-D) `query`, expected `key` and `value` to be 2-D but found "
                f"{key.dim()}-D and {value.dim()}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 1:
            raise AssertionError(
                "For unbatched (2-D) `query`, expected `key_padding_mask` to be `None` or 1-D "
                f"but found {key_padding_mask.dim()}-D tensor instead")
        if attn_mask is not None:
            if attn_mask.dim() not in (2, 3):
                raise AssertionError(
                    "For unbatched (2-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D "
                    f"but found {attn_mask.dim()}-D tensor instead")
            if attn_mask.dim() == 3:
                expected = (num_heads, query.shape[0], key.shape[0])
                if tuple(attn_mask.shape) != expected:
                    raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got "
                                         f"{attn_mask.shape}")
        return False
    raise AssertionError("query should be unbatched 2D or batched 3D tensor but received "
                         f"{query.dim()}-D query tensor")


def _in_projection_packed(q: Tensor, k: Tensor, v: Tensor, w: Tensor,
                          b: Tensor | None) -> tuple[Tensor, Tensor, Tensor]:
    e = q.shape[-1]
    if k is v:
        if q is k:  # self-attention: one projection, split three ways
            proj = linear(q, w, b).unflatten(-1, (3, e))
            proj = unsqueeze(proj, 0).transpose(0, -2).squeeze(-2).contiguous()
            return proj[0], proj[1], proj[2]
        w_q, w_kv = split(w, [e, e * 2])
        b_q, b_kv = (None, None) if b is None else split(b, [e, e * 2])
        kv = linear(k, w_kv, b_kv).unflatten(-1, (2, e))
        kv = unsqueeze(kv, 0).transpose(0, -2).squeeze(-2).contiguous()
        return linear(q, w_q, b_q), kv[0], kv[1]
    w_q, w_k, w_v = w.chunk(3)
    b_q, b_k, b_v = (None, None, None) if b is None else b.chunk(3)
    return linear(q, w_q, b_q), linear(k, w_k, b_k), linear(v, w_v, b_v)


def _in_projection(q: Tensor, k: Tensor, v: Tensor, w_q: Tensor, w_k: Tensor, w_v: Tensor,
                   b_q: Tensor | None, b_k: Tensor | None,
                   b_v: Tensor | None) -> tuple[Tensor, Tensor, Tensor]:
    eq, ek, ev = q.shape[-1], k.shape[-1], v.shape[-1]
    for what, w, want in (("query", w_q, (eq, eq)), ("key", w_k, (eq, ek)),
                          ("value", w_v, (eq, ev))):
        if tuple(w.shape) != want:
            raise AssertionError(f"expecting {what} weights shape of {want}, but got {w.shape}")
    for what, b in (("query", b_q), ("key", b_k), ("value", b_v)):
        if b is not None and tuple(b.shape) != (eq,):
            raise AssertionError(f"expecting {what} bias shape of {(eq,)}, but got {b.shape}")
    return linear(q, w_q, b_q), linear(k, w_k, b_k), linear(v, w_v, b_v)


def _static(t: Tensor, name: str, heads: int, head_dim: int) -> Tensor:
    if t.shape[0] != heads:
        raise AssertionError(f"expecting {name}.size(0) of {heads}, but got {t.shape[0]}")
    if t.shape[2] != head_dim:
        raise AssertionError(f"expecting {name}.size(2) of {head_dim}, but got {t.shape[2]}")
    return t


def multi_head_attention_forward(
        query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: int, num_heads: int,
        in_proj_weight: Tensor | None, in_proj_bias: Tensor | None, bias_k: Tensor | None,
        bias_v: Tensor | None, add_zero_attn: bool, dropout_p: float, out_proj_weight: Tensor,
        out_proj_bias: Tensor | None, training: bool = True,
        key_padding_mask: Tensor | None = None, need_weights: bool = True,
        attn_mask: Tensor | None = None, use_separate_proj_weight: bool = False,
        q_proj_weight: Tensor | None = None, k_proj_weight: Tensor | None = None,
        v_proj_weight: Tensor | None = None, static_k: Tensor | None = None,
        static_v: Tensor | None = None, average_attn_weights: bool = True,
        is_causal: bool = False) -> tuple[Tensor, Tensor | None]:
    """Multi-head attention over (L, N, E) inputs (or unbatched (L, E)): ``(output, weights)``."""
    batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not batched:
        query, key, value = unsqueeze(query, 1), unsqueeze(key, 1), unsqueeze(value, 1)
        if key_padding_mask is not None:
            key_padding_mask = unsqueeze(key_padding_mask, 0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask",
                                       _none_or_dtype(attn_mask), "attn_mask", query.dtype)
    if is_causal and attn_mask is None:
        raise InvalidArgumentError(
            "Need attn_mask if specifying the is_causal hint. You may use the Transformer "
            "module method `generate_square_subsequent_mask` to create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # SDPA builds the causal mask itself
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype,
                                    check_other=False)
        if key_padding_mask is not None:
            is_causal = False
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but "
                             f"got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if tuple(key.shape[:2]) != tuple(value.shape[:2]):
            raise AssertionError(f"key's sequence and batch dims {key.shape[:2]} do not match "
                                 f"value's {value.shape[:2]}")
    elif tuple(key.shape) != tuple(value.shape):
        raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")
    if not use_separate_proj_weight:
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        q, k, v = _in_projection_packed(query, key, value, in_proj_weight, in_proj_bias)
    else:
        for name, w in (("q", q_proj_weight), ("k", k_proj_weight), ("v", v_proj_weight)):
            if w is None:
                raise AssertionError(f"use_separate_proj_weight is True but {name}_proj_weight "
                                     "is None")
        b_q, b_k, b_v = (None, None, None) if in_proj_bias is None else in_proj_bias.chunk(3)
        q, k, v = _in_projection(query, key, value, q_proj_weight, k_proj_weight,
                                 v_proj_weight, b_q, b_k, b_v)  # type: ignore[arg-type]
    if attn_mask is not None:
        if attn_mask.dim() == 2:
            want: tuple[int, ...] = (tgt_len, src_len)
            if tuple(attn_mask.shape) != want:
                raise InvalidArgumentError(f"The shape of the 2D attn_mask is {attn_mask.shape}, "
                                           f"but should be {want}.")
            attn_mask = unsqueeze(attn_mask, 0)
        elif attn_mask.dim() == 3:
            want = (bsz * num_heads, tgt_len, src_len)
            if tuple(attn_mask.shape) != want:
                raise InvalidArgumentError(f"The shape of the 3D attn_mask is {attn_mask.shape}, "
                                           f"but should be {want}.")
        else:
            raise InvalidArgumentError(f"attn_mask's dimension {attn_mask.dim()} is not supported")
    if bias_k is not None and bias_v is not None:
        if static_k is not None:
            raise AssertionError("bias cannot be added to static key.")
        if static_v is not None:
            raise AssertionError("bias cannot be added to static value.")
        k = cat([k, repeat(bias_k, 1, bsz, 1)])
        v = cat([v, repeat(bias_v, 1, bsz, 1)])
        if attn_mask is not None:
            attn_mask = pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = pad(key_padding_mask, (0, 1))
    elif bias_k is not None:
        raise AssertionError("bias_k is set but bias_v is None")
    elif bias_v is not None:
        raise AssertionError("bias_v is set but bias_k is None")
    q = q.view(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    if static_k is None:
        k = k.view(k.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    else:
        k = _static(static_k, "static_k", bsz * num_heads, head_dim)
    if static_v is None:
        v = v.view(v.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    else:
        v = _static(static_v, "static_v", bsz * num_heads, head_dim)
    if add_zero_attn:
        zeros = np.zeros((bsz * num_heads, 1, head_dim), dtype=k._data.dtype)
        k = cat([k, _const(zeros)], dim=1)
        v = cat([v, _const(zeros.copy())], dim=1)
        if attn_mask is not None:
            attn_mask = pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = pad(key_padding_mask, (0, 1))
    src_len = k.shape[1]
    if key_padding_mask is not None:
        if key_padding_mask.shape[0] != bsz:
            raise AssertionError(f"Expected key_padded_mask.shape[0] to be {bsz}, but got "
                                 f"{key_padding_mask.shape[0]}")
        if key_padding_mask.shape[1] != src_len:
            raise AssertionError(f"Expected key_padded_mask.shape[1] to be {src_len}, but got "
                                 f"{key_padding_mask.shape[1]}")
        key_padding_mask = (key_padding_mask.view(bsz, 1, 1, src_len)
                            .expand(-1, num_heads, -1, -1).reshape(bsz * num_heads, 1, src_len))
        attn_mask = key_padding_mask if attn_mask is None else add(attn_mask, key_padding_mask)
    if not training:
        dropout_p = 0.0
    if need_weights:
        q_scaled = mul(q, math.sqrt(1.0 / float(q.shape[2])))
        if is_causal and attn_mask is None:
            raise AssertionError("FIXME: is_causal not implemented for need_weights")
        if attn_mask is not None:
            scores = baddbmm(attn_mask, q_scaled, transpose(k, -2, -1))
        else:
            scores = bmm(q_scaled, transpose(k, -2, -1))
        weights = softmax(scores, -1)
        if dropout_p > 0.0:
            weights = dropout(weights, dropout_p)
        out = bmm(weights, v).transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        out = linear(out, out_proj_weight, out_proj_bias)
        out = out.view(tgt_len, bsz, out.shape[1])
        weights = weights.view(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            weights = mean(weights, dim=1)
        if not batched:
            out, weights = out.squeeze(1), weights.squeeze(0)
        return out, weights
    if attn_mask is not None:
        if attn_mask.shape[0] == 1 and attn_mask.dim() == 3:
            attn_mask = unsqueeze(attn_mask, 0)
        else:
            attn_mask = attn_mask.view(bsz, num_heads, -1, src_len)
    q = q.view(bsz, num_heads, tgt_len, head_dim)
    k = k.view(bsz, num_heads, src_len, head_dim)
    v = v.view(bsz, num_heads, src_len, head_dim)
    out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    out = out.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias)
    out = out.view(tgt_len, bsz, out.shape[1])
    if not batched:
        out = out.squeeze(1)
    return out, None


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {}
METHODS: dict[str, Any] = {}
FUNCTIONAL: dict[str, Any] = {
    "scaled_dot_product_attention": scaled_dot_product_attention,
    "multi_head_attention_forward": multi_head_attention_forward,
}
