"""Evolutionary dynamics: one small module per dynamics under :class:`Dynamics`.

Each is registered by name for ``--dynamics NAME[:KEY=VALUE,...]``: ``replicator``,
``mutator``, ``discrete``, ``best-response``, ``logit``, ``bnn``, ``smith``, ``imitation``.
"""

from ._base import Dynamics, RestPointMethod, Time
from ._registry import available, dynamics_from_spec, register
from .best_response import BestResponse
from .bnn import BNN
from .discrete import DiscreteReplicator
from .imitation import Imitation
from .logit import Logit
from .mutator import Mutator
from .replicator import Replicator
from .smith import Smith

for _cls in (Replicator, Mutator, DiscreteReplicator, BestResponse, Logit, BNN, Smith, Imitation):
    register(_cls)
del _cls

__all__ = [
    "BNN",
    "BestResponse",
    "DiscreteReplicator",
    "Dynamics",
    "Imitation",
    "Logit",
    "Mutator",
    "Replicator",
    "RestPointMethod",
    "Smith",
    "Time",
    "available",
    "dynamics_from_spec",
    "register",
]
