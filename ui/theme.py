"""The Aurora look: colours, the CSS in ``theme.css``, the frame of every page, its buttons."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from nicegui import ui

from ui.access import page_user, remember_this_tab
from ui.notifications import notify_toggle
from ui.urls import ACCOUNT, CREATE, JOBS, LOGOUT

CSS_FILE = Path(__file__).with_name("theme.css")

# for Quasar's own colour props; theme.css names the same colours as variables
PURPLE = "#b44cff"
GREEN = "#7cff00"
BG_BASE = "#070a12"
BG_ELEVATED = "#0f1420"
PRODUCT = "Aurora Studio"  # the end of every tab's title


# Quasar's loading bar (a 2 px line at the top while a request runs) is a progressbar with no
# name, which screen readers read as "progress bar" alone; it is named once it appears.
_NAME_LOADING_BAR = """<script>
new MutationObserver((_, observer) => {
  const bar = document.querySelector('#q-loading-bar .q-loading-bar');
  if (bar) { bar.setAttribute('aria-label', 'Loading'); observer.disconnect(); }
}).observe(document.documentElement, {childList: true, subtree: true});
</script>"""

# Whether the tab is in front, on <html data-visibility>: theme.css pauses every animation of
# a hidden tab, so a wall of background tabs costs the machine nothing between updates.
_MIRROR_VISIBILITY = """<script>
(() => {
  const mirror = () => { document.documentElement.dataset.visibility = document.visibilityState; };
  document.addEventListener('visibilitychange', mirror);
  mirror();
})();
</script>"""


def install_theme() -> None:
    """Add the Aurora CSS to every page (once, at start-up: the file is read here)."""
    ui.add_css(CSS_FILE, shared=True)
    ui.add_head_html(_NAME_LOADING_BAR + _MIRROR_VISIBILITY, shared=True)


@contextmanager
def frame(title: str, *, navigation: bool = True) -> Iterator[None]:
    """The shell of every page: colours, header with navigation and the signed-in user's
    menu, then the page's content."""
    remember_this_tab()
    ui.colors(primary=PURPLE, positive=GREEN, dark=BG_ELEVATED, dark_page=BG_BASE)
    ui.page_title(f"{title} · {PRODUCT}")
    with ui.header().classes("aurora-header items-center justify-between px-6 py-3"):
        with ui.row().classes("aurora-brand gap-1 text-lg"):
            ui.label("Aurora")
            ui.label("Studio").classes("accent")
        if navigation:
            with ui.row().classes("aurora-nav gap-1 items-center"):
                for label, target in (("Create", CREATE), ("Jobs", JOBS)):
                    link = ui.link(label, target)
                    if label == title:
                        link.classes("active")
                notify_toggle()
                _user_menu()
    with ui.column().classes("aurora-content"):
        yield


def _user_menu() -> None:
    """The signed-in user's name, opening Account and Sign out (nothing where nobody signs
    in). Sign out is a real form post: it works even while the websocket is down."""
    name = page_user().name
    if name is None:
        return
    button = ui.button(name, icon="account_circle", color=None) \
        .props("flat no-caps data-testid=user-menu").classes("aurora-user-menu")
    with button, ui.menu().classes("aurora-menu"):
        ui.menu_item("Account", on_click=lambda: ui.navigate.to(ACCOUNT))
        sign_out = ui.element("form").classes("w-full")
        sign_out.props.update({"method": "post", "action": LOGOUT})
        with sign_out:
            ui.button("Sign out", icon="logout", color=None).props(
                "type=submit flat no-caps data-testid=sign-out-button").classes("w-full")


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
