"""``torch.distributions.fishersnedecor``: torch's module path
(the class lives in ``gamma.py``)."""

from .gamma import FisherSnedecor

__all__ = ["FisherSnedecor"]
