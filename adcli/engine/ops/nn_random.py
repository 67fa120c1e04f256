"""nn ops that draw random numbers from torch's generator: ``F.gumbel_softmax`` (Gumbel noise
from ``exponential_``, as torch 2.13's Python code draws it).
"""

from __future__ import annotations

import warnings
from typing import Any

from ..creation import empty_like, zeros_like
from ..rng.ops import exponential_
from ..tensor import Tensor
from .activations import softmax

# ==============================================================================================
# torch.nn.functional
# ==============================================================================================


def gumbel_softmax(logits: Tensor, tau: float = 1, hard: bool = False, eps: float = 1e-10,
                   dim: int = -1) -> Tensor:
    """softmax((logits + g) / tau) for Gumbel(0, 1) noise g = -log(Exp(1)); with ``hard`` the
    one-hot of its argmax, differentiated as the soft sample (y_hard - y_soft.detach() +
    y_soft)."""
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    gumbels = -exponential_(empty_like(logits)).log()  # ~Gumbel(0,1)
    gumbels = (logits + gumbels) / tau  # ~Gumbel(logits,tau)
    y_soft = softmax(gumbels, dim)
    if hard:
        # straight through: the one-hot values, the soft sample's gradient
        index = y_soft.max(dim, keepdim=True)[1]
        y_hard = zeros_like(logits).scatter_(dim, index, 1.0)
        return y_hard - y_soft.detach() + y_soft
    return y_soft


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {}
METHODS: dict[str, Any] = {}
FUNCTIONAL: dict[str, Any] = {"gumbel_softmax": gumbel_softmax}
