"""``torch.distributions.LogisticNormal``: a Normal through StickBreakingTransform. Same base,
same transforms as torch's: the same samples, log_probs and gradients."""

from __future__ import annotations

from typing import Any

from ..engine.tensor import Tensor
from . import constraints
from .distribution import _ExpandAsParent
from .simple import Normal
from .transformed_distribution import TransformedDistribution
from .transforms import (
    StickBreakingTransform,
)


class LogisticNormal(TransformedDistribution):
    """``StickBreakingTransform(Normal(loc, scale))``: a distribution on the simplex."""

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        base_dist = Normal(loc, scale, validate_args=validate_args)
        if not base_dist.batch_shape:
            base_dist = base_dist.expand([1])
        super().__init__(base_dist, StickBreakingTransform(), validate_args=validate_args)

    expand = _ExpandAsParent()

    @property
    def loc(self) -> Tensor:
        return self.base_dist.base_dist.loc

    @property
    def scale(self) -> Tensor:
        return self.base_dist.base_dist.scale
