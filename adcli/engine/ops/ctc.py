"""Connectionist temporal classification: ``F.ctc_loss`` / ``torch.ctc_loss`` as ATen's
composite (``_ctc_loss``, node CtcLossBackward0, then ``where`` for ``zero_infinity`` and the
reduction), with LossCTC.cpp's alpha / beta recursions and gradient (eqs. 6-16 of Graves et
al.), in the same log-sum-exp arithmetic. Its backward kernel has no derivative, as in torch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InvalidArgumentError
from ..op import defop
from ..tensor import Tensor
from .arithmetic import NotImplementedOp

# ==============================================================================================
# the kernels
# ==============================================================================================


def _primes(targets: np.ndarray, offset: int, stride: int, length: int, blank: int) -> np.ndarray:
    """target'[s] for s in 0 .. 2 * length: blanks between (and around) the labels."""
    out = np.full(2 * length + 1, blank, dtype=np.int64)
    if length:
        flat = targets.reshape(-1)
        out[1::2] = flat[offset + stride * np.arange(length)]
    return out


def _logsumexp3(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """log(exp(a-m) + exp(b-m) + exp(c-m)) + m with ATen's max (0 when all are -inf)."""
    m = np.maximum(np.maximum(a, b), c)
    m = np.where(m == -np.inf, 0, m).astype(a.dtype)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        return np.log(np.exp(a - m) + np.exp(b - m) + np.exp(c - m)) + m


def _ctc_forward(log_probs: np.ndarray, targets: np.ndarray, input_lengths: tuple[int, ...],
                 target_lengths: tuple[int, ...], offsets: tuple[int, ...], stride: int,
                 max_target: int, blank: int) -> tuple[np.ndarray, np.ndarray]:
    """(neg_log_likelihood (N,), log_alpha (N, T, 2 * max_target + 1))."""
    t_max, n, _ = log_probs.shape
    dt = log_probs.dtype
    ninf = dt.type(-np.inf)
    log_alpha = np.full((n, t_max, 2 * max_target + 1), ninf, dtype=dt)
    nll = np.empty(n, dtype=dt)
    for b in range(n):
        il, tl = input_lengths[b], target_lengths[b]
        if il == 0:
            nll[b] = -(dt.type(0) if tl == 0 else ninf)
            continue
        lp = log_probs[:, b]
        prime = _primes(targets, offsets[b], stride, tl, blank)
        la = log_alpha[b]
        la[0, 0] = lp[0, blank]
        if tl > 0:
            la[0, 1] = lp[0, prime[1]]
        size = 2 * tl + 1
        skip = np.zeros(size, dtype=bool)
        skip[2:] = prime[:-2] != prime[2:]
        for t in range(1, il):
            prev = la[t - 1, :size]
            la2 = np.concatenate(([ninf], prev[:-1]))
            la3 = np.where(skip, np.concatenate(([ninf, ninf], prev[:-2]))[:size], ninf)
            la[t, :size] = _logsumexp3(prev, la2, la3) + lp[t, prime]
        if tl == 0:
            nll[b] = -la[il - 1, 0]
        else:
            l1, l2 = la[il - 1, 2 * tl], la[il - 1, 2 * tl - 1]
            m = max(l1, l2)
            m = dt.type(0) if m == ninf else m
            with np.errstate(invalid="ignore", divide="ignore"):
                nll[b] = -(np.log(np.exp(l1 - m) + np.exp(l2 - m)) + m)
    return nll, log_alpha


def _ctc_backward(grad: np.ndarray, log_probs: np.ndarray, targets: np.ndarray,
                  input_lengths: tuple[int, ...], target_lengths: tuple[int, ...],
                  offsets: tuple[int, ...], stride: int, nll: np.ndarray,
                  log_alpha: np.ndarray, blank: int, zero_infinity: bool) -> np.ndarray:
    """ATen's ctc_loss_backward_cpu: exp(lp) - exp(log(sum alpha * beta) + nll - lp), times the
    incoming gradient, per batch item; zeros past each input's length (and for an infinite
    loss under zero_infinity)."""
    t_max, n, c = log_probs.shape
    dt = log_probs.dtype
    ninf = dt.type(-np.inf)
    out = np.zeros_like(log_probs)
    g = np.broadcast_to(np.asarray(grad, dtype=dt).reshape(-1), (n,))
    for b in range(n):
        if zero_infinity and nll[b] == np.inf:
            continue
        il, tl = input_lengths[b], target_lengths[b]
        lp = log_probs[:, b]
        la = log_alpha[b]
        prime = _primes(targets, offsets[b], stride, tl, blank)
        size = 2 * tl + 1
        lb = np.full((t_max, size), ninf, dtype=dt)
        acc = np.full((t_max, c), ninf, dtype=dt)
        if il > 0:
            lb[il - 1, 2 * tl] = lp[il - 1, blank]
            acc[il - 1, blank] = la[il - 1, 2 * tl] + lb[il - 1, 2 * tl]
            if tl > 0:
                p = prime[2 * tl - 1]
                lb[il - 1, 2 * tl - 1] = lp[il - 1, p]
                acc[il - 1, p] = la[il - 1, 2 * tl - 1] + lb[il - 1, 2 * tl - 1]
        skip = np.zeros(size, dtype=bool)
        skip[:-2] = prime[2:] != prime[:-2]
        for t in range(il - 2, -1, -1):
            nxt = lb[t + 1]
            lb2 = np.concatenate((nxt[1:], [ninf]))
            lb3 = np.where(skip, np.concatenate((nxt[2:], [ninf, ninf]))[:size], ninf)
            lb[t] = _logsumexp3(nxt, lb2, lb3) + lp[t, prime]
        if il >= 2:
            # collected[t, target'[s]] log+= alpha + beta, s descending (ATen's order)
            lab = la[:il - 1, :size] + lb[:il - 1]
            rows = acc[:il - 1]
            for s in range(size - 1, -1, -1):
                cur, new = rows[:, prime[s]], lab[:, s]
                mx = np.maximum(cur, new)
                with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
                    summed = np.log(np.exp(cur - mx) + np.exp(new - mx)) + mx
                rows[:, prime[s]] = np.where(cur == ninf, new, summed)
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            out[:il, b] = (np.exp(lp[:il]) - np.exp(acc[:il] + nll[b] - lp[:il])) * g[b]
    return out


def _forward(log_probs: np.ndarray, targets: np.ndarray, **a: Any) -> tuple[Any, Any]:
    return _ctc_forward(log_probs, targets, a["input_lengths"], a["target_lengths"],
                        a["offsets"], a["stride"], a["max_target"], a["blank"])


# _ctc_loss: outputs (neg_log_likelihood, log_alpha); the second has no gradient of its own
ctc_loss_op = defop("_ctc_loss", "CtcLossBackward0",
                    lambda log_probs, targets, **a: _forward(log_probs, targets, **a),
                    inputs=("log_probs",), save=("log_probs", "result"), extras=("log_alpha",),
                    torch="torch.ctc_loss (F.ctc_loss)")

ctc_loss_backward_ni = NotImplementedOp(
    "_ctc_loss_backward", "aten::_ctc_loss_backward",
    lambda g, lp, **a: _ctc_backward(g, lp, a["targets"], a["input_lengths"],
                                     a["target_lengths"], a["offsets"], a["stride"], a["nll"],
                                     a["log_alpha"], a["blank"], a["zero_infinity"]),
    inputs=("grad", "log_probs"))


@ctc_loss_op.grad("log_probs")
def _ctc_log_probs(g, s, B):
    """_ctc_loss_backward(grad, log_probs, targets, input_lengths, target_lengths, result0,
    result1, blank, zero_infinity): exp(log_probs) - exp(log sum alpha*beta + nll - log_probs),
    times grad (no derivative of its own)"""
    kw = {k: getattr(s, k) for k in ("targets", "input_lengths", "target_lengths", "offsets",
                                     "stride", "log_alpha", "blank", "zero_infinity")}
    nll = s.result._data if isinstance(s.result, Tensor) else s.result
    if B.tensors:
        return ctc_loss_backward_ni(g, s.log_probs, nll=nll, **kw)
    return _ctc_backward(g, s.log_probs, kw["targets"], kw["input_lengths"],
                         kw["target_lengths"], kw["offsets"], kw["stride"], nll,
                         kw["log_alpha"], kw["blank"], kw["zero_infinity"])


# ==============================================================================================
# torch-level functions
# ==============================================================================================
_C = "ctc_loss_allocate_outputs"


def _lengths(v: Any, what: str) -> tuple[int, ...]:
    if isinstance(v, Tensor):
        if v._data.dtype.kind not in "iu":
            raise InvalidArgumentError(f"{what} must be integral")
        return tuple(int(x) for x in v._data.reshape(-1))
    if isinstance(v, int | np.integer):
        return (int(v),)
    return tuple(int(x) for x in v)


def _ctc(log_probs: Tensor, targets: Tensor, input_lengths: Any, target_lengths: Any,
         blank: int, reduction: int, zero_infinity: bool) -> Tensor:
    """ATen's ctc_loss_impl: _ctc_loss on (T, N, C), zero_infinity's where, the reduction."""
    from .arithmetic import div
    from .pointwise_multi import where
    from .reductions import mean
    from .reductions import sum as _sum
    from .shape import squeeze, unsqueeze

    il = _lengths(input_lengths, "input_lengths")
    tl = _lengths(target_lengths, "target_lengths")
    batched = log_probs.dim() == 3
    lp = log_probs if batched else unsqueeze(log_probs, 1)
    tg = targets._data.astype(np.int64)
    if lp.dim() != 3:
        raise InvalidArgumentError(f"Expected {lp.dim()}-dimensional tensor, but got "
                                   f"{lp.dim()}-dimensional tensor for argument #1 'log_probs' "
                                   f"(while checking arguments for {_C})")
    if not 1 <= tg.ndim <= 2:
        raise InvalidArgumentError(f"Expected 1 to 2 dimensions, but got {tg.ndim}-dimensional "
                                   f"tensor for argument #2 'targets' (while checking arguments "
                                   f"for {_C})")
    n, c = lp.shape[1], lp.shape[2]
    if not 0 <= blank < c:
        raise InvalidArgumentError("blank must be in label range")
    if len(il) != n:
        raise InvalidArgumentError("input_lengths must be of size batch_size")
    if len(tl) != n:
        raise InvalidArgumentError("target_lengths must be of size batch_size")
    offsets = []
    for i in range(n):
        if tl[i] < 0:
            raise InvalidArgumentError(f"Expected target_lengths to have value at least 0, but "
                                       f"got value {tl[i]} (while checking arguments for {_C})")
    if tg.ndim == 1:
        pos = 0
        for i in range(n):
            offsets.append(pos)
            pos += tl[i]
        stride = 1
        if tg.shape[0] != pos:
            raise InvalidArgumentError(
                f"Expected tensor to have size {pos} at dimension 0, but got size {tg.shape[0]} "
                f"for argument #2 'targets' (while checking arguments for {_C})")
    else:
        stride = 1
        offsets = [i * tg.shape[1] for i in range(n)]
        if tg.shape[0] != n:
            raise InvalidArgumentError(
                f"Expected tensor to have size {n} at dimension 0, but got size {tg.shape[0]} "
                f"for argument #2 'targets' (while checking arguments for {_C})")
        mt = max(tl) if tl else 0
        if tg.shape[1] < mt:
            raise InvalidArgumentError(
                f"Expected tensor to have size at least {mt} at dimension 1, but got size "
                f"{tg.shape[1]} for argument #2 'targets' (while checking arguments for {_C})")
    t_max = lp.shape[0]
    for b in range(n):
        if il[b] < 0:
            raise InvalidArgumentError(f"Expected input_lengths to have value at least 0, but "
                                       f"got value {il[b]} (while checking arguments for {_C})")
        if il[b] > t_max:
            raise InvalidArgumentError(f"Expected input_lengths to have value at most {t_max}, "
                                       f"but got value {il[b]} (while checking arguments for "
                                       f"{_C})")
    res, _ = ctc_loss_op(lp, targets=np.ascontiguousarray(tg), input_lengths=il,
                         target_lengths=tl, offsets=tuple(offsets), stride=stride,
                         max_target=max(tl) if tl else 0, blank=int(blank),
                         zero_infinity=bool(zero_infinity))
    if zero_infinity:
        inf = Tensor._make(res._data == np.inf, None, 0, None)
        res = where(inf, Tensor._make(np.zeros((), res._data.dtype), None, 0, None), res)
    if reduction == 1:  # mean
        lens = np.maximum(np.asarray(tl, dtype=res._data.dtype), 1)
        return mean(div(res, Tensor._make(lens, None, 0, None)))
    if reduction == 2:
        return _sum(res)
    return res if batched else squeeze(res, 0)


def ctc_loss(log_probs: Tensor, targets: Tensor, input_lengths: Any, target_lengths: Any,
             blank: int = 0, reduction: int = 1, zero_infinity: bool = False) -> Tensor:
    """torch.ctc_loss: ``reduction`` as an int (0 none, 1 mean, 2 sum)."""
    return _ctc(log_probs, targets, input_lengths, target_lengths, blank, int(reduction),
                zero_infinity)


def _F_ctc_loss(log_probs: Tensor, targets: Tensor, input_lengths: Any, target_lengths: Any,
                blank: int = 0, reduction: str = "mean", zero_infinity: bool = False) -> Tensor:
    """The CTC loss of (T, N, C) or (T, C) log-probabilities against padded (N, S) or
    concatenated targets: -log of the summed probability of every alignment (CtcLossBackward0);
    ``reduction`` 'mean' divides each loss by its target length first."""
    red = {"none": 0, "mean": 1, "sum": 2}.get(reduction)
    if red is None:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return _ctc(log_probs, targets, input_lengths, target_lengths, blank, red, zero_infinity)


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {"ctc_loss": ctc_loss}
METHODS: dict[str, Any] = {}
FUNCTIONAL: dict[str, Any] = {"ctc_loss": _F_ctc_loss}
