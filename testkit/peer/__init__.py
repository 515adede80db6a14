"""A contract test peer: a real backend on loopback that keeps the contract and can misbehave.

``PeerServer`` runs it; ``Peer`` is what a test scripts and inspects; ``testkit.peer.steps``
holds the steps a job's progress stream plays. The ``peer`` fixture in
``testkit/fixtures.py`` shows the wiring; ``testkit.peer.pacing`` paces a
stream from a test.
"""

from testkit.peer.pacing import play_next, waiting
from testkit.peer.server import OMIT, Job, Peer, PeerServer, Reply, Route, SeenRequest
from testkit.peer.steps import (
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
    "play_next",
    "waiting",
]
