"""``torch.distributions.pareto``: torch's module path
(the class lives in ``weibull_pareto.py``)."""

from .weibull_pareto import Pareto

__all__ = ["Pareto"]
