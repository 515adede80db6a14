"""The Aurora look: colours and CSS, the frame every page sits in, and its buttons."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from nicegui import ui

from ui.urls import CREATE, JOBS

# for Quasar's own colour props; the CSS below names the same colours as variables
PURPLE = "#b44cff"
GREEN = "#7cff00"
BG_BASE = "#070a12"
BG_ELEVATED = "#0f1420"

# Cheap for the compositor, even with many tabs open: no backdrop-filter (an opaque-enough
# background instead), transitions name their properties, the bar grows by transform (a width
# transition would lay out and paint every frame), and the only endless animations move
# transform/opacity of one small, promoted element (the current stage's spinner, a status dot).
# Those that run while a job runs (spinner, status dot, the bar's glide) advance in steps at
# 10-20 frames a second: the browser draws a frame only when a step changes what is shown, so a
# tab showing a running job costs about as little as a still one (with 20 tabs side by side, a
# 60 fps spinner and glide took a whole core of two; see bench/many_tabs.py).
_CSS = """
:root {
  --aurora-purple: #b44cff;
  --aurora-violet: #7b2cff;
  --aurora-pink: #e36bff;
  --aurora-green: #7cff00;
  --aurora-red: #ff5c7a;
  --aurora-amber: #ffcf66;
  --bg-base: #070a12;
  --bg-elevated: #0f1420;
  --bg-sunken: #161c2b;
  --line: rgba(232, 237, 245, 0.10);
  --text-primary: #e8edf5;
  --text-muted: #8a93a8;
  --text-faint: #6b7488;
}
body.body--dark { background: var(--bg-base); color: var(--text-primary); }

/* page frame */
.aurora-header { background: rgba(7, 10, 18, 0.96); border-bottom: 1px solid var(--line); }
.aurora-brand { font-weight: 700; letter-spacing: 0.02em; color: var(--text-primary); }
.aurora-brand .accent { color: var(--aurora-purple); }
.aurora-nav a { color: var(--text-muted); text-decoration: none; padding: 6px 12px;
  border-radius: 8px; font-weight: 500; }
.aurora-nav a:hover, .aurora-nav a.active { color: var(--text-primary);
  background: rgba(180, 76, 255, 0.14); }
.aurora-content { width: 100%; max-width: 1120px; margin: 0 auto; padding: 32px 24px; gap: 20px; }
/* on a phone, NiceGUI's own 16 px around the page is margin enough: line up with the header */
@media (max-width: 599.98px) { .aurora-content { padding: 16px 8px; } }
.aurora-title { font-size: 2rem; font-weight: 700; color: var(--text-primary); line-height: 1.2; }
.aurora-muted { color: var(--text-muted); }
.aurora-panel { background: var(--bg-elevated); border: 1px solid var(--line);
  border-radius: 14px; box-shadow: none; }
.aurora-section { font-size: 0.8rem; font-weight: 600; letter-spacing: 0.08em;
  text-transform: uppercase; color: var(--text-muted); }

/* the workspace: video beside the details from 1024 px up, above them below that */
.aurora-workspace-main { display: grid; grid-template-columns: minmax(0, 2fr) minmax(260px, 1fr);
  gap: 24px; align-items: start; }
@media (max-width: 1023.98px) {
  .aurora-workspace-main { grid-template-columns: minmax(0, 1fr); } }
.aurora-workspace-title { font-size: 1.5rem; font-weight: 700; line-height: 1.3;
  overflow-wrap: anywhere; display: -webkit-box; -webkit-line-clamp: 3;
  -webkit-box-orient: vertical; overflow: hidden; }
@media (max-width: 599.98px) { .aurora-workspace-title { font-size: 1.25rem; } }
.aurora-full-prompt { white-space: pre-wrap; overflow-wrap: anywhere; line-height: 1.45;
  max-height: 14em; overflow-y: auto; padding: 8px 10px; border-radius: 8px;
  background: var(--bg-sunken); }
.aurora-video { display: block; border-radius: 12px; background: #000; max-height: 70vh;
  box-shadow: 0 12px 48px rgba(0, 0, 0, 0.45); }
.aurora-scenes { display: grid; grid-template-columns: repeat(auto-fill, minmax(240px, 1fr));
  gap: 16px; }
.aurora-clip { display: block; border-radius: 8px; background: #000; max-height: 320px; }

/* the jobs page */
.aurora-filter { border: 1px solid var(--line); border-radius: 10px;
  background: var(--bg-elevated); }
.aurora-filter .q-btn { padding: 4px 14px; font-weight: 500; }
.aurora-job-card { display: flex; flex-direction: column; gap: 14px; padding: 18px 22px;
  transition: border-color 0.3s ease; }
.aurora-job-card:hover { border-color: rgba(180, 76, 255, 0.30); }
.aurora-job-card[data-status="processing"] { border-color: rgba(180, 76, 255, 0.35); }
.aurora-job-prompt { font-size: 1.05rem; font-weight: 600; color: var(--text-primary);
  overflow-wrap: anywhere; display: -webkit-box; -webkit-line-clamp: 2;
  -webkit-box-orient: vertical; overflow: hidden; }
.aurora-status { flex: none; display: inline-flex; align-items: center; gap: 7px;
  padding: 3px 11px; border-radius: 999px; font-size: 0.8rem; font-weight: 600;
  background: rgba(138, 147, 168, 0.14); color: var(--text-muted); }
.aurora-status::before { content: ""; width: 7px; height: 7px; border-radius: 50%;
  background: currentColor; }
[data-status="processing"] .aurora-status { background: rgba(180, 76, 255, 0.16);
  color: #d29bff; }
[data-status="processing"] .aurora-status::before {
  animation: aurora-pulse 1.4s steps(7) infinite; will-change: opacity; }
[data-status="completed"] .aurora-status { background: rgba(124, 255, 0, 0.10);
  color: var(--aurora-green); }
[data-status="failed"] .aurora-status { background: rgba(255, 92, 122, 0.12);
  color: var(--aurora-red); }
.aurora-job-card .aurora-stage-text { font-size: 0.95rem; }
.aurora-card-error { padding: 6px 10px; font-size: 0.88rem; }
.aurora-empty { padding: 48px 24px; gap: 10px; }

/* the toast every tab gets when a job ends */
.aurora-toast { border: 1px solid var(--line); border-left: 3px solid var(--aurora-purple);
  border-radius: 10px; box-shadow: 0 12px 40px rgba(0, 0, 0, 0.45); }
.aurora-toast.positive { border-left-color: var(--aurora-green); }
.aurora-toast.negative { border-left-color: var(--aurora-red); }
.aurora-toast .q-notification__caption { color: var(--text-muted); opacity: 1; }

/* the progress dialog */
.aurora-overlay { display: flex; align-items: center; justify-content: center;
  background: rgba(4, 6, 12, 0.88); padding: 16px; }
.aurora-progress-card { width: min(520px, 100%); max-height: calc(100vh - 32px); overflow-y: auto;
  background: var(--bg-elevated); color: var(--text-primary); border-radius: 16px;
  border: 1px solid rgba(180, 76, 255, 0.45); padding: 28px 30px 26px;
  box-shadow: 0 0 0 1px rgba(180, 76, 255, 0.08), 0 24px 90px rgba(180, 76, 255, 0.20); }
.aurora-progress-card .aurora-dialog-title { font-size: 1.4rem; font-weight: 700; }
.aurora-bar { flex: 1; height: 8px; border-radius: 999px; background: var(--bg-sunken);
  overflow: hidden; }
.aurora-bar-fill { width: 100%; height: 100%; border-radius: inherit;
  background: linear-gradient(90deg, var(--aurora-violet), var(--aurora-purple),
    var(--aurora-pink));
  transform-origin: left; transition: transform 0.5s steps(10, jump-start);
  will-change: transform; }
.aurora-percent { min-width: 3.2em; text-align: right; font-weight: 700;
  font-variant-numeric: tabular-nums; }
.aurora-stage-text { font-size: 1.05rem; }
.aurora-eta { font-size: 0.9rem; color: var(--text-muted); font-variant-numeric: tabular-nums; }
.aurora-notice { font-size: 0.9rem; color: var(--aurora-amber); }
.aurora-error { color: var(--aurora-red); background: rgba(255, 92, 122, 0.08);
  border: 1px solid rgba(255, 92, 122, 0.35); border-radius: 10px; padding: 10px 12px; }
.aurora-success { color: var(--aurora-green); font-weight: 600; }

.aurora-stages { display: flex; flex-direction: column; gap: 4px; }
.aurora-stage { display: flex; align-items: center; gap: 14px; min-height: 26px;
  color: var(--text-primary); transition: color 0.3s ease;
  animation: aurora-fade-in 0.3s ease both; }
.aurora-stage[data-state="pending"] { color: var(--text-faint); }
.aurora-stage[data-state="failed"] { color: var(--aurora-red); }
.aurora-stage-icon { width: 18px; height: 18px; flex: none; display: inline-flex;
  align-items: center; justify-content: center; font-weight: 700; }
.aurora-stage[data-state="completed"] .aurora-stage-icon {
  animation: aurora-checkmark-pop 0.3s ease; color: var(--aurora-green); }
.aurora-stage[data-state="completed"] .aurora-stage-icon::before { content: "\\2713"; }
.aurora-stage[data-state="pending"] .aurora-stage-icon::before { content: "\\22EF"; }
.aurora-stage[data-state="failed"] .aurora-stage-icon::before { content: "\\2715"; }
.aurora-stage[data-state="current"] .aurora-stage-icon::before { content: ""; width: 14px;
  height: 14px; border-radius: 50%; border: 2px solid rgba(180, 76, 255, 0.30);
  border-top-color: var(--aurora-purple); animation: aurora-spinner 1.8s steps(18) infinite;
  will-change: transform, opacity; }
/* a connection that gave up is no progress: the current stage's mark stands still, in the
   colour of the "Connection failed" notice, until Retry brings the stream back */
.aurora-stages[data-phase="connection_failed"] [data-state="current"] { color: var(--text-muted); }
.aurora-stages[data-phase="connection_failed"] [data-state="current"] .aurora-stage-icon::before {
  animation: none; will-change: auto; border-color: var(--aurora-amber); }

/* 16:9 tiles: a landscape picture fills its tile; a portrait or square one shows whole, on black */
.aurora-thumbs { display: grid; grid-template-columns: repeat(5, minmax(0, 1fr)); gap: 9px; }
.aurora-thumb { display: block; aspect-ratio: 16 / 9; width: 100%; border-radius: 7px;
  object-fit: contain; background: #000; border: 1px solid rgba(180, 76, 255, 0.35);
  animation: aurora-fade-in 0.4s ease both; }
.aurora-thumb-slot { aspect-ratio: 16 / 9; border-radius: 7px; background: var(--bg-sunken);
  border: 1px dashed rgba(232, 237, 245, 0.16); }

.aurora-button { border-radius: 8px; padding: 4px 16px; color: var(--text-primary); }
.aurora-button.subtle { border: 1px solid rgba(232, 237, 245, 0.18); }
.aurora-button.accent { border: 1px solid var(--aurora-purple); }
.aurora-button.accent:hover { box-shadow: 0 0 16px rgba(180, 76, 255, 0.35); }
.aurora-generate { background: linear-gradient(90deg, var(--aurora-violet), var(--aurora-purple));
  color: white; border-radius: 10px; padding: 8px 22px; font-weight: 600; }

@keyframes aurora-checkmark-pop {
  0% { transform: scale(0); } 50% { transform: scale(1.2); } 100% { transform: scale(1); } }
@keyframes aurora-fade-in {
  from { opacity: 0; transform: translateY(3px); } to { opacity: 1; transform: none; } }
@keyframes aurora-pulse { 0%, 100% { opacity: 1; } 50% { opacity: 0.45; } }
/* two turns to one pulse (the spec's "pulsing" current stage), 20 degrees a step at 20 fps */
@keyframes aurora-spinner {
  0% { transform: rotate(0deg); opacity: 1; } 50% { transform: rotate(360deg); opacity: 0.55; }
  100% { transform: rotate(720deg); opacity: 1; } }

@media (prefers-reduced-motion: reduce) {
  .aurora-bar-fill, .aurora-stage, .aurora-stage-icon, .aurora-stage-icon::before,
  .aurora-thumb, .aurora-job-card, .aurora-status::before {
    transition: none !important; animation: none !important; }
}
"""


def install_theme() -> None:
    """Add the Aurora colours and CSS to every page (once, at start-up)."""
    ui.add_css(_CSS, shared=True)


@contextmanager
def frame(title: str) -> Iterator[None]:
    """The shell of every page: colours, header with navigation, then the page's content."""
    ui.colors(primary=PURPLE, positive=GREEN, dark=BG_ELEVATED, dark_page=BG_BASE)
    ui.page_title(f"{title} · Aurora Studio")
    with ui.header().classes("aurora-header items-center justify-between px-6 py-3"):
        with ui.row().classes("aurora-brand gap-1 text-lg"):
            ui.label("Aurora")
            ui.label("Studio").classes("accent")
        with ui.row().classes("aurora-nav gap-1"):
            for label, target in (("Create", CREATE), ("Jobs", JOBS)):
                link = ui.link(label, target)
                if label == title:
                    link.classes("active")
    with ui.column().classes("aurora-content"):
        yield


def action_button(text: str, on_click: Callable[..., object], *, test_id: str | None = None,
                  subtle: bool = False, icon: str | None = None) -> ui.button:
    """A button in the Aurora outline style: accent for the way forward, subtle otherwise."""
    return _outlined(ui.button(text, on_click=on_click, icon=icon, color=None),
                     test_id=test_id, subtle=subtle)


def link_button(text: str, target: str, *, test_id: str, subtle: bool = False,
                icon: str | None = None) -> ui.button:
    """An ``action_button`` that is a plain link (``<a href>``): it works without the websocket."""
    button = ui.button(text, icon=icon, color=None)
    button.props["href"] = target
    return _outlined(button, test_id=test_id, subtle=subtle)


def _outlined(button: ui.button, *, test_id: str | None, subtle: bool) -> ui.button:
    """The Aurora outline look (accent or subtle) and the test id, on ``button``."""
    button.classes(f"aurora-button {'subtle' if subtle else 'accent'}").props("flat no-caps")
    if test_id is not None:
        button.props["data-testid"] = test_id
    return button
