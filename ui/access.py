"""Who is signed in to the dashboard, and the guard that sends everyone else to ``/login``.

With ``AURORA_AUTH=accounts`` a sign-in lives in NiceGUI's signed storage: the server-side
``app.storage.user`` of the browser's session cookie holds the user and a random nonce, and the
cookie itself (signed, HttpOnly, SameSite=Lax) holds the same nonce, so a cookie from before a
sign-out or from another browser opens nothing. It ends after ``AURORA_SESSION_HOURS`` or at
sign-out, in every tab of that browser: each page's tab is remembered with its session, and
sent to ``/login`` then. With ``proxy`` the user is the trusted proxy's header on each request;
with ``open`` nobody signs in and everyone may do everything.

The guard is plain ASGI middleware inside NiceGUI's session middleware, so it sees every
request: pages, the media relay, the API (where it lends a signed-in browser the dashboard's
service token, acting for its user) and the websocket, which may join only a tab that was
built for a session still signed in (or the sign-in page's own tab).
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, quote

from nicegui import Client, app, background_tasks, core, ui
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from services.client import AuroraClient, AuroraError, RequestRejected
from services.contract import API_PREFIX, USER_HEADER, USER_NAME_PATTERN, UserInfo
from services.dashboard.settings import DashboardSettings
from services.dashboard.sign_in import PasswordBook, SignInLimiter
from ui.urls import LOGIN

log = logging.getLogger(__name__)

SIGN_IN_KEY = "aurora_sign_in"  # in app.storage.user: name, admin, until, nonce
NONCE_KEY = "aurora_nonce"  # in the signed cookie: the nonce of the browser's sign-in
# NiceGUI's scripts and styles (the login page's), and the counts Prometheus scrapes
OPEN_PATHS = ("/_nicegui/", "/favicon.ico", "/metrics")
SOCKET_PATH = "/_nicegui_ws/"
EXPIRY_CHECK_SECONDS = 30.0
SEND_OFF_SECONDS = 1.0  # a signed-out tab's time to go to the sign-in page before it is closed
STANDING_CACHE_SECONDS = 10.0  # the backend's word on a user holds this long: a removed
# user is out of the dashboard this soon


@dataclass(frozen=True, slots=True)
class User:
    """Who a page is for: a signed-in user, or nobody (``name`` None) where nobody signs in."""

    name: str | None
    admin: bool

    def owns(self, owner: str | None) -> bool:
        """Whether a job of ``owner`` is this user's own (where nobody signs in, every job is
        everyone's)."""
        return self == EVERYONE or (self.name is not None and self.name == owner)

    def may_act_on(self, owner: str | None) -> bool:
        """Whether to offer Cancel (and the other actions) on a job of ``owner``; the backend
        decides again."""
        return self.admin or self.owns(owner)


EVERYONE = User(name=None, admin=True)  # where nobody signs in
NOBODY = User(name=None, admin=False)  # not signed in: no page is built for them


@dataclass(frozen=True, slots=True)
class _Standing:
    """The backend's word on a user."""

    known: bool
    admin: bool


@dataclass(slots=True)
class _Session:
    """A signed-in browser as the guard knows it: its nonce, when it ends, its tabs."""

    nonce: str
    until: float
    tabs: set[str]


class Access:
    """The dashboard's sign-in rules, its signed-in browsers and the sign-in limiter."""

    def __init__(self, settings: DashboardSettings, client: AuroraClient, *,
                 book: PasswordBook | None = None) -> None:
        self.mode = settings.auth or "open"
        self._book = book  # the dashboard's own accounts, for a backend without any
        self.embedded = settings.embedded
        self.limiter = SignInLimiter(first_wait=settings.sign_in_wait_seconds)
        self._client = client
        self._service_token = settings.api_token
        self._session_seconds = settings.session_hours * 3600
        self._proxy_header = settings.proxy_user_header
        self._trusted = settings.trusted_proxies
        self._sessions: dict[str, _Session] = {}  # by the browser's session id
        self._tab_sessions: dict[str, str | None] = {}  # client id: session id (None: /login)
        self._untrusted_warned: set[str] = set()
        self._standings: dict[str, tuple[_Standing, float]] = {}  # by name, with its expiry
        self._expiry: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Open the dashboard's own accounts, if any, and begin ending sessions that run out
        (their tabs go to the sign-in page)."""
        if self._book is not None:
            await self._book.open()
        if self.mode != "open":
            _guard_socket_messages()
        if self.mode == "accounts":
            self._expiry = asyncio.create_task(self._end_expired_sessions(),
                                               name="end-expired-sessions")

    async def stop(self) -> None:
        """Stop ending sessions (the app is shutting down)."""
        if self._expiry is not None:
            self._expiry.cancel()
            await asyncio.gather(self._expiry, return_exceptions=True)
        if self._book is not None:
            await self._book.close()

    # -- who is signed in ----------------------------------------------------------------

    async def user_of(self, request: Request) -> User | None:
        """The request's user (``EVERYONE`` when open), or None: not signed in."""
        if self.mode == "open":
            return EVERYONE
        if self.mode == "proxy":
            return await self._proxy_user(request)
        return await self._session_user(request)

    async def _session_user(self, request: Request) -> User | None:
        session_id = request.session.get("id")
        sign_in = app.storage.user.get(SIGN_IN_KEY)
        if not session_id or not isinstance(sign_in, dict):
            return None
        nonce = request.session.get(NONCE_KEY)
        if not nonce or not secrets.compare_digest(str(nonce), str(sign_in.get("nonce"))):
            return None
        if float(sign_in.get("until", 0)) <= time.time():
            self.sign_out(request)
            return None
        name = str(sign_in["name"])
        if not (await self._standing(name)).known:  # removed with ``users remove``
            self.sign_out(request)
            return None
        known = self._sessions.get(session_id)
        if known is None or known.nonce != nonce:  # e.g. after a restart: learn it again
            self._sessions[session_id] = _Session(nonce, float(sign_in["until"]), set())
        return User(name=name, admin=bool(sign_in.get("admin")))

    def address_of(self, request: Request) -> str:
        """Where a request comes from: the peer, or behind a trusted proxy, the last address
        that proxy put in ``X-Forwarded-For`` (anyone else's is not believed)."""
        peer = request.client.host if request.client else ""
        forwarded = request.headers.get("x-forwarded-for", "").rsplit(",", 1)[-1].strip()
        return forwarded if forwarded and self._is_trusted(peer) else peer

    async def _proxy_user(self, request: Request) -> User | None:
        name = request.headers.get(self._proxy_header)
        if name is None:
            return None
        address = request.client.host if request.client else ""  # the peer: is it the proxy?
        if not self._is_trusted(address):
            if address not in self._untrusted_warned:
                self._untrusted_warned.add(address)
                log.warning("ignored %s from %s: not in AURORA_TRUSTED_PROXIES",
                            self._proxy_header, address)
            return None
        name = name.strip()
        if not USER_NAME_PATTERN.fullmatch(name):
            log.warning("ignored %s: not a user name", self._proxy_header)
            return None
        return User(name=name, admin=(await self._standing(name)).admin)

    def _is_trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self._trusted)

    async def _standing(self, name: str) -> _Standing:
        """What the backend says of a user (asked every few seconds at most): whether it
        still knows them (it refuses a removed user with 401; any other trouble is no
        verdict) and whether they are an admin (which a proxy user's menu follows)."""
        cached = self._standings.get(name)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        try:
            standing = _Standing(known=True, admin=(await self._client.me(user=name)).admin)
        except RequestRejected as error:
            standing = _Standing(known=error.status_code != 401, admin=False)
        except AuroraError:
            standing = _Standing(known=True, admin=False)
        self._standings[name] = (standing, time.monotonic() + STANDING_CACHE_SECONDS)
        return standing

    # -- signing in and out --------------------------------------------------------------

    async def check_password(self, name: str, password: str) -> UserInfo | None:
        """Who signs in, if the password fits: the backend's accounts say, or where it has
        none (404, 405), the dashboard's own. ``AuroraError`` when it cannot be told now."""
        try:
            return await self._client.sign_in(name, password)
        except RequestRejected as error:
            if error.status_code == 401:
                return None
            if error.status_code in (404, 405) and self._book is not None:
                return await self._book.check(name, password)
            raise

    def start_session(self, request: Request, user: User) -> None:
        """Sign this browser in as ``user`` (within a request that has not answered yet)."""
        nonce = secrets.token_urlsafe(24)
        until = time.time() + self._session_seconds
        app.storage.user[SIGN_IN_KEY] = {"name": user.name, "admin": user.admin,
                                         "until": until, "nonce": nonce}
        request.session[NONCE_KEY] = nonce
        self._sessions[request.session["id"]] = _Session(nonce, until, set())

    def sign_out(self, request: Request) -> None:
        """End this browser's sign-in, and send every tab of it to the sign-in page."""
        app.storage.user.pop(SIGN_IN_KEY, None)
        request.session.pop(NONCE_KEY, None)
        self._end(request.session.get("id", ""))

    def _end(self, session_id: str) -> None:
        session = self._sessions.pop(session_id, None)
        for client_id in session.tabs if session else ():
            self._tab_sessions.pop(client_id, None)
            client = Client.instances.get(client_id)
            if client is not None and not client.is_deleted:
                with client:
                    ui.navigate.to(LOGIN)
                background_tasks.create(_send_off(client), name="send off a signed-out tab")

    def remember_tab(self, client: Client) -> None:
        """Tie a page's tab to its browser's session, so the session's end reaches it (and
        its websocket may join it); the sign-in page's tab belongs to no session."""
        if self.mode != "accounts":
            return
        session_id = client.request.session.get("id") if client.request else None
        session = self._sessions.get(session_id or "")
        if session is None or client.page.path == LOGIN:
            self._tab_sessions[client.id] = None
        else:
            session.tabs.add(client.id)
            self._tab_sessions[client.id] = session_id
        client.on_delete(lambda: self._forget_tab(client.id))

    def _forget_tab(self, client_id: str) -> None:
        session_id = self._tab_sessions.pop(client_id, None)
        session = self._sessions.get(session_id or "")
        if session is not None:
            session.tabs.discard(client_id)

    async def _end_expired_sessions(self) -> None:
        """Forever: send the tabs of every session that has run out to the sign-in page."""
        while True:
            await asyncio.sleep(EXPIRY_CHECK_SECONDS)
            now = time.time()
            for session_id in [key for key, session in self._sessions.items()
                               if session.until <= now]:
                self._end(session_id)

    def may_open_socket(self, scope: Scope) -> bool:
        """Whether a websocket (or its polling) may join the tab it names: one built for the
        sign-in page, or for a session that is still signed in from this very browser."""
        if self.mode != "accounts":
            return True
        query = parse_qs(scope.get("query_string", b"").decode())
        client_id = (query.get("client_id") or [""])[0]
        if client_id not in self._tab_sessions:
            return False
        session_id = self._tab_sessions[client_id]
        if session_id is None:  # the sign-in page's own tab
            client = Client.instances.get(client_id)
            return client is not None and client.page.path == LOGIN
        session = self._sessions.get(session_id)
        cookie = scope.get("session", {})
        return (session is not None and session.until > time.time()
                and cookie.get("id") == session_id and cookie.get(NONCE_KEY) == session.nonce)

    def lend_service_token(self, scope: Scope, user: User) -> None:
        """Let a signed-in browser call the embedded API as its user: the dashboard's service
        token and the user header replace whatever user header came with it."""
        if self._service_token is None:
            return
        headers = [(key, value) for key, value in scope["headers"]
                   if key.lower() != USER_HEADER.lower().encode()]
        headers.append((b"authorization", f"Bearer {self._service_token}".encode()))
        if user.name is not None:
            headers.append((USER_HEADER.lower().encode(), user.name.encode()))
        scope["headers"] = headers


async def _send_off(client: Client) -> None:
    """Once a signed-out tab has had a moment to go to the sign-in page: close its sockets,
    so a script that ignores the navigation cannot act in it any longer (no socket of a
    signed-out session is let in again). NiceGUI deletes the tab once its reconnect grace is
    over, as for any tab whose sockets closed: deleting it here too made that a second
    deletion, which fails."""
    await asyncio.sleep(SEND_OFF_SECONDS)
    for sid, _ in list(core.sio.manager.get_participants("/", client.id)):
        await core.sio.disconnect(sid)


def _guard_socket_messages() -> None:
    """NiceGUI acts on whichever tab a socket message names: let a socket speak only for the
    tab whose handshake it made (its room), so knowing a tab's id is not enough to use it."""
    for kind in ("event", "javascript_response", "ack", "log"):
        handle = core.sio.handlers["/"][kind]

        def checked(sid: str, message: object, handle: Any = handle) -> None:
            if isinstance(message, dict) and message.get("client_id") in core.sio.rooms(sid):
                handle(sid, message)

        core.sio.on(kind, checked)


class SignInGuard:
    """Every request not signed in goes to ``/login`` (a page or the media relay), gets the
    API's own 401 (``/api/v1``), or is refused (the websocket)."""

    def __init__(self, app: ASGIApp, access: Access) -> None:
        self._app = app
        self._access = access

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        access = self._access
        path: str = scope.get("path", "")
        if scope["type"] not in ("http", "websocket") or path.startswith(OPEN_PATHS):
            await self._app(scope, receive, send)
            return
        if path.startswith(SOCKET_PATH):
            if access.may_open_socket(scope):
                await self._app(scope, receive, send)
            else:
                await _refuse(scope, receive, send)
            return
        request = Request(scope)
        user = await access.user_of(request)
        scope.setdefault("state", {})["aurora_user"] = user
        scope["state"]["aurora_access"] = access
        if path == LOGIN or path.startswith("/logout"):
            await self._app(scope, receive, send)
        elif path.startswith(API_PREFIX + "/"):
            if user is not None and access.embedded and b"authorization" not in dict(
                    scope["headers"]) and access.mode != "open":
                access.lend_service_token(scope, user)
            await self._app(scope, receive, send)
        elif user is None:
            target = path + (f"?{scope['query_string'].decode()}" if scope["query_string"] else "")
            await RedirectResponse(f"{LOGIN}?next={quote(target, safe='')}",
                                   status_code=303)(scope, receive, send)
        else:
            await self._app(scope, receive, send)


async def _refuse(scope: Scope, receive: Receive, send: Send) -> None:
    """No websocket for this tab (HTTP 403 for socket.io's polling)."""
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008})
        return
    await send({"type": "http.response.start", "status": 403,
                "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"Sign in first"})


def page_user() -> User:
    """The user this page is built for (the guard let its request in)."""
    request = ui.context.client.request
    user: User | None = getattr(request.state, "aurora_user", None) if request else None
    return user or NOBODY


def remember_this_tab() -> None:
    """Tie this page's tab to its sign-in, so sign-out and expiry reach it."""
    client = ui.context.client
    access: Access | None = getattr(client.request.state, "aurora_access", None) \
        if client.request is not None else None
    if access is not None:
        access.remember_tab(client)

