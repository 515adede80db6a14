"""Unknown dashboard URLs (``/nope``): "Page not found" in the Aurora frame, with the ways back.

NiceGUI answers an unknown URL from its own 404 exception handler with a page of its own
("HTTPException: 404"); this handler takes that one's place. Only browser pages get the page:
anything under ``/api/`` (whether the backend is embedded or remote) and any 404 that a
non-page route raises (a media file, NiceGUI's own resources) keep FastAPI's JSON 404, so an
API client never has to parse HTML.
"""

from __future__ import annotations

from fastapi import Request, Response
from fastapi.exception_handlers import http_exception_handler
from nicegui import Client, app, ui
from starlette.exceptions import HTTPException

from ui.components.dead_end import dead_end
from ui.theme import frame, link_button
from ui.urls import CREATE, JOBS

API_PATHS = "/api/"


def register() -> None:
    """Answer every 404 from here (NiceGUI registered its handler at import; this replaces it)."""
    app.add_exception_handler(404, answer_not_found)


async def answer_not_found(request: Request, exception: Exception) -> Response:
    """The Aurora page for an unknown page URL; FastAPI's JSON 404 for everything else."""
    assert isinstance(exception, HTTPException)  # Starlette calls status handlers only for these
    if request.url.path.startswith(API_PATHS) or not _is_a_page_url(request):
        return await http_exception_handler(request, exception)
    with Client(ui.page(""), request=request) as client:
        not_found_page(request.url.path)
    return client.build_response(request, 404)


def _is_a_page_url(request: Request) -> bool:
    """No route matched the URL, or a page itself found nothing to show."""
    return request.scope.get("endpoint") is None or bool(request.scope.get("nicegui_page_path"))


def not_found_page(path: str) -> None:
    """What the user sees: nothing at ``path``, and links to Create and to the jobs."""
    with frame("Page not found"), \
            dead_end("explore_off", "Page not found", f"Nothing lives at {path[:80]}.",
                     test_id="page-not-found"), \
            ui.row().classes("gap-3 mt-2"):
        link_button("Create a video", CREATE, icon="movie", test_id="create-link")
        link_button("See all jobs", JOBS, icon="view_list", subtle=True, test_id="jobs-link")
