"""``torch.distributions.beta``: torch's module path
(the class lives in ``gamma.py``)."""

from .gamma import Beta

__all__ = ["Beta"]
