"""``/account``: the signed-in user's API tokens, for the terminal client and scripts.

A new token is shown once, in the page (``api-token``), and never again: the backend keeps only
its hash. Each token can be revoked; it stops working at once.
"""

from __future__ import annotations

import time

from nicegui import ui

from services.client import AuroraError
from services.dashboard.shared import Dashboard
from ui.access import User, page_user
from ui.format import format_started
from ui.theme import action_button, frame
from ui.urls import ACCOUNT


def register(dashboard: Dashboard) -> None:
    """Add the account page."""

    @ui.page(ACCOUNT)
    async def account_page() -> None:
        user = page_user()
        with frame("Account"):
            ui.label("Account").classes("aurora-title")
            if user.name is None:
                ui.label("Nobody signs in here, so there are no accounts or tokens.") \
                    .classes("aurora-muted")
                return
            ui.label(f"Signed in as {user.name}{' (admin)' if user.admin else ''}.") \
                .classes("aurora-muted -mt-3")
            TokenPanel(dashboard, user)


class TokenPanel(ui.column):
    """The user's tokens, a way to make one, and a revoke button on each."""

    def __init__(self, dashboard: Dashboard, user: User) -> None:
        super().__init__()
        self.classes("aurora-panel w-full p-6 gap-4")
        self._api = dashboard.client
        self._user = user.name
        with self:
            ui.label("API tokens").classes("text-lg font-semibold")
            ui.label("For the terminal client: export AURORA_API_TOKEN=<token>.") \
                .classes("aurora-muted text-sm")
            with ui.row().classes("w-full items-center gap-3"):
                self._label = ui.input("What it is for", placeholder="laptop").props(
                    "outlined dense maxlength=64 data-testid=token-label").classes("flex-1")
                action_button("Create token", self._create, test_id="create-token-button",
                              icon="key")
            self._new = ui.column().classes("w-full gap-1")
            self._list = ui.column().classes("w-full gap-2").props("data-testid=token-list")
        ui.timer(0, self._refresh, once=True)

    async def _create(self) -> None:
        try:
            token = await self._api.create_token(self._label.value or "", user=self._user)
        except AuroraError as error:
            ui.notify(f"Could not create a token: {error}", type="warning")
            return
        self._label.set_value("")
        self._new.clear()
        with self._new:
            ui.label("Copy it now: it is not shown again.").classes("aurora-success")
            ui.label(token.token).classes("aurora-token font-mono break-all") \
                .props("data-testid=api-token")
        await self._refresh()

    async def _refresh(self) -> None:
        try:
            tokens = (await self._api.tokens(user=self._user)).tokens
        except AuroraError as error:
            self._show_lines([f"Tokens cannot be listed right now: {error}"])
            return
        self._list.clear()
        with self._list:
            if not tokens:
                ui.label("No tokens yet.").classes("aurora-muted")
            for token in tokens:
                with ui.row().classes("w-full items-center justify-between") \
                        .props(f"data-testid=token-row data-token-id={token.token_id}"):
                    made = format_started(token.created_at, now=time.time())
                    ui.label(f"{token.label or 'token'} · {token.token_id} · made {made}")
                    action_button("Revoke", lambda token_id=token.token_id: self._revoke(token_id),
                                  test_id="revoke-token-button", subtle=True, icon="block")

    async def _revoke(self, token_id: str) -> None:
        try:
            await self._api.revoke_token(token_id, user=self._user)
        except AuroraError as error:
            ui.notify(f"Could not revoke the token: {error}", type="warning")
        await self._refresh()

    def _show_lines(self, lines: list[str]) -> None:
        self._list.clear()
        with self._list:
            for line in lines:
                ui.label(line).classes("aurora-muted")
