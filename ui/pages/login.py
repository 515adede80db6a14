"""``/login``: a plain form that posts ``username``, ``password`` and ``next`` to ``POST /login``;
``POST /logout`` signs the browser out, in all its tabs.

The form works without the websocket (it is a real HTML form), so it works for any browser
and any script. A wrong password gives the same page again with ``login-error`` and the name
kept (401); too many of them, the same page saying how long to wait (429 with Retry-After).
"""

from __future__ import annotations

import logging

from fastapi import Request, Response
from fastapi.responses import RedirectResponse
from nicegui import Client, app, ui

from services.client import AuroraError
from services.dashboard.shared import Dashboard
from ui.access import Access, User
from ui.theme import frame
from ui.urls import LOGIN, LOGOUT, local_path

log = logging.getLogger(__name__)


def register(dashboard: Dashboard, access: Access) -> None:
    """Add the sign-in page, its form's target and sign-out."""

    @ui.page(LOGIN)
    def login_page(next: str = "/") -> None:
        if access.mode == "proxy":
            signed_in_elsewhere()
        else:
            login_form(next_path=local_path(next))

    @app.post(LOGIN, include_in_schema=False)
    async def sign_in(request: Request) -> Response:
        form = await request.form()
        name = str(form.get("username", "")).strip()
        password = str(form.get("password", ""))
        next_path = local_path(str(form.get("next", "/")))
        address = request.client.host if request.client else ""
        if wait := access.limiter.wait_seconds(name, address):
            log.warning("sign-in of %r from %s refused: too many wrong passwords", name, address)
            return _again(request, name, next_path, 429,
                          f"Too many wrong tries: wait {wait} s, then try again.",
                          headers={"Retry-After": str(wait)})
        try:
            info = await access.check_password(name, password)
        except AuroraError as error:
            return _again(request, name, next_path, 503, _cannot_check(error))
        if info is None:
            access.limiter.missed(name, address)
            log.warning("wrong password for %r from %s", name, address)
            return _again(request, name, next_path, 401, "Wrong name or password.")
        access.limiter.succeeded(name)
        log.info("%s signed in from %s", name, address)
        access.start_session(request, User(name=info.name or name, admin=info.admin))
        return RedirectResponse(next_path, status_code=303)

    @app.post(LOGOUT, include_in_schema=False)
    async def sign_out(request: Request) -> Response:
        access.sign_out(request)
        return RedirectResponse(LOGIN, status_code=303)


def _cannot_check(error: AuroraError) -> str:
    return f"Passwords cannot be checked right now ({error}). Try again shortly."


def _again(request: Request, name: str, next_path: str, status: int, error: str, *,
           headers: dict[str, str] | None = None) -> Response:
    """The sign-in page once more, saying what went wrong, the name kept."""
    with Client(ui.page(LOGIN), request=request) as client:
        login_form(next_path=next_path, name=name, error=error)
    response = client.build_response(request, status)
    response.headers.update(headers or {})
    return response


def signed_in_elsewhere() -> None:
    """Behind a sign-in proxy there is no password here: the way in is the proxy."""
    with frame("Sign in", navigation=False), \
            ui.card().classes("aurora-login-card self-center w-full max-w-sm"):
        ui.label("Sign in through your organisation").classes("text-lg font-semibold")
        ui.label("Aurora Studio takes who you are from your organisation's sign-in. Open it "
                 "through that address, not this one.").classes("aurora-muted") \
            .props("data-testid=login-error")


def login_form(*, next_path: str, name: str = "", error: str | None = None) -> None:
    """The card with the form; an error above the fields when there is one."""
    with frame("Sign in", navigation=False), \
            ui.card().classes("aurora-login-card self-center w-full max-w-sm"):
        ui.label("Sign in to Aurora Studio").classes("text-lg font-semibold")
        if error is not None:
            ui.label(error).classes("aurora-error").props("data-testid=login-error role=alert")
        form = ui.element("form").classes("flex flex-col gap-3 w-full")
        form.props.update({"method": "post", "action": LOGIN, "data-testid": "login-form"})
        with form:
            ui.input("Name", value=name).props(
                "name=username autocomplete=username outlined dense "
                "data-testid=username-input").classes("w-full").props(
                "autofocus" if not name else "")
            ui.input("Password", password=True).props(
                "name=password autocomplete=current-password outlined dense "
                "data-testid=password-input").classes("w-full").props(
                "autofocus" if name else "")
            ui.element("input").props.update({"type": "hidden", "name": "next",
                                              "value": next_path})
            ui.button("Sign in", color=None).props(
                "type=submit flat no-caps data-testid=login-button") \
                .classes("aurora-button accent w-full")
