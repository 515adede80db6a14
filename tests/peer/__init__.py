"""A contract test peer: a real backend on loopback that keeps the contract and can misbehave.

``PeerServer`` runs it; ``Peer`` is what a test scripts and inspects; ``tests.peer.steps``
holds the steps a job's progress stream plays. The ``peer`` fixture in
``tests/service/conftest.py`` shows the wiring.
"""

from tests.peer.server import OMIT, Job, Peer, PeerServer, Reply, Route, SeenRequest
from tests.peer.steps import (
    Drop,
    Pause,
    SendDone,
    SendError,
    SendEvent,
    SendUpdate,
    Silence,
    Step,
    contract_run,
)

__all__ = [
    "OMIT",
    "Drop",
    "Job",
    "Pause",
    "Peer",
    "PeerServer",
    "Reply",
    "Route",
    "SeenRequest",
    "SendDone",
    "SendError",
    "SendEvent",
    "SendUpdate",
    "Silence",
    "Step",
    "contract_run",
]
