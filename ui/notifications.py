"""Desktop notifications for the jobs this browser started: when one ends while its tab is
hidden, the desktop says so ("Video ready", or why it failed), and a click opens the video.

What belongs to the browser stays in the browser (its ``localStorage``, shared by all its tabs):
the jobs it started and whether ``notify-toggle`` in the header has turned notifications off.
The dashboard only tells each tab of the endings it toasts; the page decides whether to show
one (a job started here, notifications on and allowed, the tab hidden). Every hidden tab of the
browser may show it, under the job's id as its tag, so the desktop shows it once. Permission is
asked on the first *Generate*, from the click itself (as browsers require), and never before.
A job someone cancelled is what they asked for: no notification.
"""

from __future__ import annotations

import json

from nicegui import ui

from services.dashboard.endings import JobEnded
from ui.urls import workspace_url

# The page's side: what it remembers, asking (inside the click) and showing (while hidden).
SCRIPT = """<script>
(() => {
  const STARTED = 'aurora-started-jobs', OFF = 'aurora-notify-off', KEEP = 200;
  const started = () => JSON.parse(localStorage.getItem(STARTED) || '[]');
  const wanted = () => localStorage.getItem(OFF) !== '1';
  const show = () => {
    document.documentElement.dataset.notify = wanted() ? 'on' : 'off';
    document.querySelectorAll('[data-testid=notify-toggle]').forEach((toggle) => {
      toggle.setAttribute('aria-pressed', String(wanted()));
      toggle.title = `Desktop notifications when your videos end: ${wanted() ? 'on' : 'off'}`;
    });
  };
  show();
  window.addEventListener('storage', show);  // turned off or on in another tab
  window.aurora = {
    showNotifyToggle: show,
    flipNotify: () => { localStorage.setItem(OFF, wanted() ? '1' : '0'); show(); },
    askToNotify: () => {
      if (window.Notification && Notification.permission === 'default' && wanted()) {
        Notification.requestPermission();
      }
    },
    started: (jobId) => {
      const jobs = started().filter((id) => id !== jobId);
      jobs.push(jobId);
      localStorage.setItem(STARTED, JSON.stringify(jobs.slice(-KEEP)));
    },
    notify: (jobId, title, body, url) => {
      if (!document.hidden || !wanted() || !started().includes(jobId) || !window.Notification
          || Notification.permission !== 'granted') return;
      const notice = new Notification(title, {tag: jobId, body});
      notice.onclick = () => { window.focus(); notice.close(); window.location.assign(url); };
    },
  };
})();
</script>"""


def install_notifications() -> None:
    """Give every page its side of notifications (once, at start-up)."""
    ui.add_head_html(SCRIPT, shared=True)


def ask_on(element: ui.element) -> None:
    """Ask for the permission when ``element`` is clicked, if not asked before (and wanted)."""
    element.on("click", js_handler="() => window.aurora.askToNotify()")


def mark_started(job_id: str) -> None:
    """The job was started from this browser: its end may be a notification here."""
    ui.run_javascript(f"window.aurora.started({json.dumps(job_id)})")


def notify_toggle() -> ui.element:
    """The header's bell: notifications on (the default) or off, for this browser; the page
    draws its state (``html[data-notify]`` and ``aria-pressed``) from what the browser keeps."""
    toggle = ui.element("button").classes("aurora-notify-toggle") \
        .props('type=button aria-label="Desktop notifications" data-testid=notify-toggle')
    with toggle:
        ui.icon("notifications").classes("aurora-bell-on")
        ui.icon("notifications_off").classes("aurora-bell-off")
    toggle.on("click", js_handler="() => window.aurora.flipNotify()")
    client = ui.context.client
    client.on_connect(lambda: client.run_javascript("window.aurora.showNotifyToggle()"))
    return toggle


def notify(ending: JobEnded, *, prompt: str) -> None:
    """Have this tab show the ending as a desktop notification, if the page finds it should."""
    if ending.cancelled:
        return
    title = "Video ready" if ending.completed else "Generation failed"
    arguments = ", ".join(json.dumps(value) for value in (
        ending.job_id, title, prompt, workspace_url(ending.job_id)))
    ui.run_javascript(f"window.aurora.notify({arguments})")
