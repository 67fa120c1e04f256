"""``torch.distributions.exponential``: torch's module path
(the class lives in ``continuous.py``)."""

from .continuous import Exponential

__all__ = ["Exponential"]
