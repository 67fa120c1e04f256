"""``torch.distributions.dirichlet``: torch's module path
(the class lives in ``gamma.py``)."""

from .gamma import Dirichlet

__all__ = ["Dirichlet"]
