"""The dialog from the keyboard: while it is open, Tab and Shift+Tab go round its own controls
and never behind it; when it closes, the focus goes to *Generate Video* on Create, and
elsewhere back to what opened it (a job card's *Watch*)."""

from __future__ import annotations

from nicegui import ui

SCRIPT = """<script>
window.auroraFocus = {
  opener: null,
  remember: () => { window.auroraFocus.opener = document.activeElement; },
  giveBack: () => {
    const opener = window.auroraFocus.opener;
    const back = document.querySelector('[data-testid=generate-button]')
      || (opener && opener.isConnected ? opener : null);
    window.auroraFocus.opener = null;
    if (back) back.focus();
  },
  trap: (event, box) => {
    if (event.key !== 'Tab' || !box) return;
    const controls = [...box.querySelectorAll(
      'button, [href], input, select, textarea, [tabindex]:not([tabindex="-1"])')]
      .filter((control) => !control.disabled && control.offsetParent !== null);
    if (!controls.length) return;
    const first = controls[0], last = controls[controls.length - 1];
    const inside = box.contains(document.activeElement);
    if (event.shiftKey && (document.activeElement === first || !inside)) {
      event.preventDefault(); last.focus();
    } else if (!event.shiftKey && (document.activeElement === last || !inside)) {
      event.preventDefault(); first.focus();
    }
  },
};
document.addEventListener('keydown', (event) => {
  const box = document.querySelector('.q-dialog [data-focus-trap]');
  window.auroraFocus.trap(event, box);
}, true);
</script>"""


def install_keyboard() -> None:
    """Give every page the focus rules above (once, at start-up)."""
    ui.add_head_html(SCRIPT, shared=True)


def trap_focus(box: ui.element) -> None:
    """Keep Tab and Shift+Tab inside ``box`` while it is in an open dialog."""
    box.props("data-focus-trap")


def remember_focus() -> None:
    """Note what has the focus now, for ``give_focus_back`` (call as a dialog opens)."""
    ui.run_javascript("window.auroraFocus.remember()")


def give_focus_back() -> None:
    """Focus *Generate Video*, or else what opened the dialog (call as it closes)."""
    ui.run_javascript("window.auroraFocus.giveBack()")
