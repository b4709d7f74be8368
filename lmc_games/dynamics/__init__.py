"""Evolutionary dynamics: one small module per dynamics under :class:`Dynamics`."""

from ._base import Dynamics, RestPointMethod, Time
from ._registry import available, dynamics_from_spec, register
from .replicator import Replicator

register(Replicator)

__all__ = [
    "Dynamics",
    "Replicator",
    "RestPointMethod",
    "Time",
    "available",
    "dynamics_from_spec",
    "register",
]
