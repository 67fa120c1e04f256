"""``torch.distributions.half_cauchy``: torch's module path
(the class lives in ``weibull_pareto.py``)."""

from .weibull_pareto import HalfCauchy

__all__ = ["HalfCauchy"]
