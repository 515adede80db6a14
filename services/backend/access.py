"""Who is calling the API, and what they may do to a job.

Every route under ``/api/v1`` depends on ``caller`` (the router holds the dependency, so a new
route cannot forget it). With ``AURORA_AUTH=open`` anyone may do anything, and a name sent in
``X-Aurora-User`` is only recorded as the owner of the jobs it starts. Otherwise each request
needs ``Authorization: Bearer <token>``: the service token (the dashboard's, which may act for a
user named in ``X-Aurora-User``) or a user's own token (which may not).
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from services.backend.accounts import Accounts
from services.contract import USER_HEADER, USER_NAME_PATTERN, AuthMode

log = logging.getLogger(__name__)

_UNAUTHORIZED = {"WWW-Authenticate": "Bearer"}


@dataclass(frozen=True, slots=True)
class Caller:
    """Whoever sent a request: a user's ``name`` (None: nobody signs in, or the dashboard
    itself), and whether they may act on every job."""

    name: str | None
    admin: bool

    def may_act_on(self, owner: str | None) -> bool:
        """Whether this caller may cancel, retry, run next or delete a job of ``owner``."""
        return self.admin or (self.name is not None and self.name == owner)


class Gate:
    """Turns a request's token (and user header) into its ``Caller``, or refuses it."""

    def __init__(self, *, mode: AuthMode, accounts: Accounts, service_token: str | None) -> None:
        self.mode = mode
        self.accounts = accounts
        self._service_token = service_token

    async def caller(self, request: Request) -> Caller:
        """The request's caller; ``HTTPException`` 401 (no or an unknown token) or 403 (a
        user's token naming another user)."""
        acting_for = request.headers.get(USER_HEADER)
        if self.mode == "open":
            named = acting_for if acting_for and USER_NAME_PATTERN.fullmatch(acting_for) else None
            return Caller(name=named, admin=True)
        token = _bearer(request)
        if token is None:
            raise HTTPException(401, "Sign in: send Authorization: Bearer <token>",
                                headers=_UNAUTHORIZED)
        if self._service_token is not None and hmac.compare_digest(
                token.encode(), self._service_token.encode()):
            return await self._for_service(acting_for)
        user = await self.accounts.user_of_token(token)
        if user is None:
            raise HTTPException(401, "Unknown or revoked token", headers=_UNAUTHORIZED)
        if acting_for is not None:
            raise HTTPException(403, f"A user's token may not send {USER_HEADER}")
        return Caller(name=user.name, admin=user.admin)

    async def _for_service(self, acting_for: str | None) -> Caller:
        """The dashboard itself (reading for everyone), or the user it acts for."""
        if acting_for is None:
            return Caller(name=None, admin=True)
        if not USER_NAME_PATTERN.fullmatch(acting_for):
            raise HTTPException(401, f"{USER_HEADER} is not a user name", headers=_UNAUTHORIZED)
        user = await self.accounts.get_user(acting_for)
        if user is None and self.mode == "accounts":
            raise HTTPException(401, "No such user (removed?)", headers=_UNAUTHORIZED)
        return Caller(name=acting_for, admin=user is not None and user.admin)


def _bearer(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer …`` header, if there is one."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


async def caller(request: Request) -> Caller:
    """The request's caller (the dependency every API route has; FastAPI runs it once per
    request, however many times it is named)."""
    gate: Gate = request.app.state.aurora_gate
    return await gate.caller(request)


CallerDep = Annotated[Caller, Depends(caller)]
