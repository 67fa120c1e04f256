"""``torch.distributions.poisson``: torch's module path
(the class lives in ``discrete.py``)."""

from .discrete import Poisson

__all__ = ["Poisson"]
