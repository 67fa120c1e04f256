"""``torch.distributions.weibull``: torch's module path
(the class lives in ``weibull_pareto.py``)."""

from .weibull_pareto import Weibull

__all__ = ["Weibull"]
