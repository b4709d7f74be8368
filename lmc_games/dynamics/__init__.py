"""Evolutionary dynamics: one small module per dynamics under :class:`Dynamics`."""

from ._base import Dynamics
from .replicator import Replicator

__all__ = ["Dynamics", "Replicator"]
