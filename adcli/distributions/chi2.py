"""``torch.distributions.chi2``: torch's module path
(the class lives in ``gamma.py``)."""

from .gamma import Chi2

__all__ = ["Chi2"]
