"""Which actions the backend offers beyond the original spec, as far as it has told: a button
it would refuse is not shown.

The contract's answers say most of it: a backend that retries jobs counts their ``attempt``
(and one that can move a waiting job gives it a ``queue_position``, which is all *Run next*
looks for: ``job_card.py``); a backend without them leaves the fields out. A backend may keep
the field and still refuse the action (405: our cluster cannot retry yet); once it has, the
dashboard stops offering it, in every tab.
"""

from __future__ import annotations

from nicegui.binding import BindableProperty

from services.contract import JobSummary


class Extensions:
    """What the dashboard may offer; each turns False for good at the backend's first 405."""

    retry = BindableProperty()
    delete = BindableProperty()

    def __init__(self) -> None:
        self.retry = True
        self.delete = True

    def may_retry(self, job: JobSummary) -> bool:
        """Whether a failed job can be offered a retry (its owner decides whether it is)."""
        return bool(self.retry) and job.attempt is not None
