"""``torch.distributions.LogNormal``: ``exp`` of a Normal. Same base, same transforms as
torch's: the same samples, log_probs and gradients."""

from __future__ import annotations

from typing import Any

from ..engine.tensor import Tensor
from . import constraints
from .distribution import _ExpandAsParent
from .simple import Normal
from .transformed_distribution import TransformedDistribution
from .transforms import (
    ExpTransform,
)


class LogNormal(TransformedDistribution):
    """``exp(Normal(loc, scale))``."""

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.positive
    has_rsample = True

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        base_dist = Normal(loc, scale, validate_args=validate_args)
        super().__init__(base_dist, ExpTransform(), validate_args=validate_args)

    expand = _ExpandAsParent()

    @property
    def loc(self) -> Tensor:
        return self.base_dist.loc

    @property
    def scale(self) -> Tensor:
        return self.base_dist.scale

    @property
    def mean(self) -> Tensor:
        return (self.loc + self.scale.pow(2) / 2).exp()

    @property
    def mode(self) -> Tensor:
        return (self.loc - self.scale.square()).exp()

    @property
    def variance(self) -> Tensor:
        scale_sq = self.scale.pow(2)
        return scale_sq.expm1() * (2 * self.loc + scale_sq).exp()

    def entropy(self) -> Tensor:
        return self.base_dist.entropy() + self.loc
