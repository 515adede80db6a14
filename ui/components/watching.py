"""Elements that show a running job hold a ``Watch`` on it, for exactly as long as they exist."""

from __future__ import annotations

from nicegui import binding, ui
from nicegui.binding import BindableProperty

from services.dashboard.hub import JobHub, Watch
from services.dashboard.progress_model import Phase, ProgressModel


class WatchingElement(ui.element):
    """Base for an element that follows a job through the hub until it is deleted.

    NiceGUI deletes an element on its own (a dialog closed, a card replaced) or with all of its
    tab's client, once the browser has been gone for the reconnect grace (never on a mere
    disconnect). Both ways end in ``_handle_delete``, so releasing there covers every exit
    and the hub can close the upstream stream once the last watcher anywhere has gone.

    Put it after a NiceGUI element class in the bases (``class X(ui.dialog, WatchingElement)``):
    first, its own (empty) Vue component would hide that element's.
    """

    phase = BindableProperty(on_change=lambda element, phase: element._entered(phase))
    _watch: Watch | None = None

    def _follow(self, hub: JobHub, job_id: str) -> Watch:
        """Watch the job (starting its stream if no one else does); call once per element."""
        self._watch = hub.watch(job_id)
        return self._watch

    def _follow_phase(self, model: ProgressModel) -> None:
        """Call ``_entered`` with the job's phase now and on every change (once the view is built).

        Now too: a model shared with other tabs may have ended before this view was made.
        """
        self.phase = model.phase
        binding.bind_from(self, "phase", model, "phase")
        self._entered(model.phase)

    def _entered(self, phase: Phase) -> None:
        """What the view does as its job enters ``phase``; only with ``_follow_phase``."""
        raise NotImplementedError

    def _release(self) -> None:
        """Let go of the job early (it ended, the user closed the view); deleting does it too."""
        if self._watch is not None:
            self._watch.release()

    def _handle_delete(self) -> None:
        """NiceGUI's hook when the element goes, alone or with its client: let go of the job."""
        self._release()
        super()._handle_delete()
