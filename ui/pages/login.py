"""``/login``: a plain form that posts ``username``, ``password`` and ``next`` to ``POST /login``;
``POST /logout`` signs the browser out, in all its tabs.

The form works without the websocket (it is a real HTML form), so it works for any browser
and any script. A wrong password gives the same page again with ``login-error`` and the name
kept (401); too many of them, the same page saying how long to wait (429 with Retry-After).
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

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
        if not _same_site(request):
            return Response("Sign-in from another site is refused", status_code=403)
        address = access.address_of(request)
        if wait := access.limiter.admit(name, address):
            log.warning("sign-in of %r from %s refused: too many wrong passwords", name[:64],
                        address)
            return _again(request, name, next_path, 429,
                          f"Too many wrong tries: wait {wait} s, then try again.",
                          headers={"Retry-After": str(wait)})
        try:
            info = await access.check_password(name, password)
        except AuroraError as error:
            access.limiter.finish(name, address, right=None)
            return _again(request, name, next_path, 503, _cannot_check(error))
        access.limiter.finish(name, address, right=info is not None)
        if info is None:
            log.warning("wrong password for %r from %s", name[:64], address)
            return _again(request, name, next_path, 401, "Wrong name or password.")
        log.info("%s signed in from %s", name, address)
        access.start_session(request, User(name=info.name or name, admin=info.admin))
        return RedirectResponse(next_path, status_code=303)

    @app.post(LOGOUT, include_in_schema=False)
    async def sign_out(request: Request) -> Response:
        if not _same_site(request):
            return Response("Sign-out from another site is refused", status_code=403)
        access.sign_out(request)
        return RedirectResponse(LOGIN, status_code=303)


def _same_site(request: Request) -> bool:
    """Whether a form post comes from a page of this dashboard: a browser names the page's
    origin, and another site's page (signing someone in as the attacker) is refused. A
    script that sends no Origin is no browser being tricked."""
    origin = request.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == request.headers.get("host")


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
