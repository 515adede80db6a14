"""Who the caller is, the dashboard's password check, and a user's own API tokens.

The sign-in check is for the dashboard (the service token) only: it keeps the sessions and
limits the tries; nobody else may test passwords here. Open backends have no accounts: the
check answers 404, so a dashboard falls back as for any extension a backend lacks.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response

from services.backend.access import Caller, CallerDep, Gate
from services.contract import (
    NewToken,
    SignInRequest,
    TokenInfo,
    TokenList,
    TokenRequest,
    UserInfo,
)

router = APIRouter(tags=["account"])


def _gate(request: Request) -> Gate:
    gate: Gate = request.app.state.aurora_gate
    return gate


def _named(caller: Caller) -> str:
    """The caller's user name; tokens belong to a user, not to the dashboard itself."""
    if caller.name is None:
        raise HTTPException(403, "Tokens belong to a user: act for one")
    return caller.name


@router.get("/me", response_model=UserInfo)
async def me(caller: CallerDep) -> UserInfo:
    """Who this request's token (and user header) names."""
    return UserInfo(name=caller.name, admin=caller.admin)


@router.post("/auth/sign-in", response_model=UserInfo)
async def sign_in(body: SignInRequest, request: Request, caller: CallerDep) -> UserInfo:
    """The user, if the password fits; 401 if not."""
    gate = _gate(request)
    if gate.mode != "accounts":
        raise HTTPException(404, "This backend has no accounts")
    if caller.name is not None or not caller.admin:
        raise HTTPException(403, "Only the dashboard's service token may check passwords")
    user = await gate.accounts.check_password(body.username, body.password)
    if user is None:
        raise HTTPException(401, "Wrong name or password")
    return UserInfo(name=user.name, admin=user.admin)


@router.get("/tokens", response_model=TokenList)
async def list_tokens(request: Request, caller: CallerDep) -> TokenList:
    """The caller's tokens, newest first."""
    records = await _gate(request).accounts.tokens_of(_named(caller))
    return TokenList(tokens=[TokenInfo(token_id=record.token_id, label=record.label,
                                       created_at=record.created_at) for record in records])


@router.post("/tokens", status_code=201, response_model=NewToken)
async def create_token(body: TokenRequest, request: Request, caller: CallerDep) -> NewToken:
    """A new token for the caller, shown this once (only its hash is kept)."""
    token, record = await _gate(request).accounts.issue_token(_named(caller), body.label.strip())
    return NewToken(token=token, token_id=record.token_id, label=record.label,
                    created_at=record.created_at)


@router.delete("/tokens/{token_id}", status_code=204, response_class=Response)
async def revoke_token(token_id: str, request: Request, caller: CallerDep) -> Response:
    """Revoke one of the caller's tokens; it stops working at once."""
    if not await _gate(request).accounts.revoke_token(_named(caller), token_id):
        raise HTTPException(404, "No such token")
    return Response(status_code=204)
