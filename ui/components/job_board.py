"""``JobBoard``: every job the backend lists, newest first, filtered by status and searched by
words, kept current.

The directory says which jobs exist (one follower for the whole dashboard); a search asks the
backend itself (``q``: any number of jobs), again each time the directory sees a change, so
the results stay live too. Each running job's card gets its live progress from the hub.
Cards are kept by job id across listings: a new job adds its card, an ended job's card is
replaced by a finished one, a deleted job's card goes, and nothing else is rebuilt, so live
bars never jump back to nothing.

A card is built the first time its job is in the filter, and from then on the filter only
hides or shows it: switching filters sends the few cards whose visibility changed, never a
rebuilt list (73 cards took up to 200 ms to rebuild). So a page opened on finished jobs
watches nothing, and a running card shown once keeps watching its job while it is hidden.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from nicegui import background_tasks, ui

from services.client import AuroraError
from services.contract import (
    JobStatus,
    JobSummary,
    furthest_status,
    has_ended,
)
from services.dashboard.job_pages import JobPages, JobView
from services.dashboard.shared import Dashboard
from ui.access import User
from ui.components.backend_notice import backend_notice
from ui.components.job_card import JobCard
from ui.theme import action_button
from ui.urls import CREATE

ALL = "all"
MINE, EVERYONE = "mine", "everyone"
FILTERS: dict[str, tuple[str, Callable[[str], bool]]] = {
    ALL: ("All", lambda status: True),
    "running": ("Running", lambda status: not has_ended(status)),
    "completed": ("Completed", lambda status: status == JobStatus.COMPLETED),
    "failed": ("Failed", lambda status: status == JobStatus.FAILED),
}


_TOGGLE = "no-caps unelevated toggle-text-color=dark"  # dark on purple: readable (WCAG AA)
# A click on *Load more* as soon as it scrolls into sight: pages load as the user scrolls.
_LOAD_ON_SIGHT = """(() => {
  const button = document.getElementById(%s);
  if (!button) return;
  new IntersectionObserver((seen) => {
    if (seen.some((entry) => entry.isIntersecting)) button.click();
  }).observe(button);
})();"""


def known_filter(name: str | None) -> str:
    """The filter called ``name`` (say, from the URL); anything else, or nothing, is All."""
    return name if name in FILTERS else ALL


class JobBoard(ui.column):
    """The status filter (and, where people sign in, Mine or Everyone), a note when the list
    may be stale, and one card per job in the filters.

    ``follow()`` (once the browser is connected) shows the directory's jobs and keeps up with
    them until the tab is deleted.

    Parameters:
        dashboard: the shared services.
        user: who the page is for: whose jobs are "Mine", and on which jobs Cancel is offered.
        shown: the filter to start with (a key of ``FILTERS``).
        query: the search to start with ("" for none).
        on_watch: opens a running job's progress dialog (called with the job id).
        on_view: told the filter's key and the search each time the user changes either.
    """

    def __init__(self, dashboard: Dashboard, *, user: User, shown: str, query: str,
                 on_watch: Callable[[str], None],
                 on_view: Callable[[str, str], None]) -> None:
        super().__init__()
        self.classes("w-full gap-4")
        self._dashboard = dashboard
        self._user = user
        self._on_watch = on_watch
        self._on_view = on_view
        self.query = query
        self._pages = JobPages(dashboard.client, dashboard.directory)
        self._pages.show(JobView(query=query))
        self._loading = False  # a page being loaded: a second click waits for it
        self._jobs: dict[str, JobSummary] | None = None  # newest first; None until listed
        self._cards: dict[str, JobCard] = {}
        directory = dashboard.directory
        with self:
            with ui.row().classes("w-full items-center justify-between gap-4"):
                self._filter = ui.toggle({key: label for key, (label, _) in FILTERS.items()},
                                         value=shown, on_change=self._filter_changed) \
                    .classes("aurora-filter").props(f"{_TOGGLE} data-testid=status-filter")
                self._owners = ui.toggle({MINE: "Mine", EVERYONE: "Everyone"}, value=EVERYONE,
                                         on_change=self._view_changed) \
                    .classes("aurora-filter").props(f"{_TOGGLE} data-testid=owner-filter")
                self._owners.set_visibility(user.name is not None)
                ui.space()
                backend_notice(directory, test_id="jobs-stale", saying=_stale_text)
                ui.input(placeholder="Search prompts and styles", value=query,
                         on_change=lambda event: self._search_changed(event.value)) \
                    .classes("aurora-search").props(
                        'dense outlined clearable debounce=300 type=search '
                        'aria-label="Search prompts and styles" data-testid=jobs-search')
            with ui.column().classes("aurora-panel aurora-empty w-full items-center") \
                    .props("data-testid=jobs-empty") as self._empty:
                self._empty_icon = ui.icon("hourglass_empty", size="2.5rem") \
                    .classes("aurora-muted")
                self._empty_text = ui.label("Loading jobs…").classes("text-lg font-semibold")
                self._create = action_button("Create a video", lambda: ui.navigate.to(CREATE),
                                             icon="movie")
                self._create.set_visibility(False)
            self._box = ui.column().classes("w-full gap-3")
            self._more = action_button("Load more", self._load_more, test_id="load-more",
                                       subtle=True, icon="expand_more").classes("self-center")
            self._more.set_visibility(False)

    def follow(self) -> None:
        """Show the view's jobs now, and again on every change the directory sees (and every
        deletion) from now on."""
        directory, client = self._dashboard.directory, ui.context.client
        client.on_delete(directory.on_change(lambda _: self._refresh()))
        client.on_delete(directory.on_deleted(self._job_deleted))
        self._refresh()
        ui.run_javascript(_LOAD_ON_SIGHT % json.dumps(self._more.html_id))

    def _view_changed(self) -> None:
        """The user searched or picked Mine or Everyone: list that view (the URL says it)."""
        owner = self._user.name if self._owners.value == MINE else None
        self._pages.show(JobView(query=self.query, owner=owner))
        self._refresh()

    def _search_changed(self, text: str | None) -> None:
        """The user typed (the box waits for a pause): list what matches, or every job."""
        self.query = (text or "").strip()
        self._on_view(self.shown, self.query)
        self._view_changed()

    def _refresh(self) -> None:
        """Show the directory's newest jobs at once where they are the view's, then read the
        view (and its counts) from the backend in the background."""
        if self._pages.take_shared():
            self._show_pages()
        background_tasks.create(self._read_pages(), name="jobs-page")

    async def _read_pages(self) -> None:
        try:
            await self._pages.refresh()
        except AuroraError as error:
            self._say(f"Could not list the jobs: {error}")
            return
        self._show_pages()

    async def _load_more(self) -> None:
        """The next older page of the view, below the cards (once at a time)."""
        if self._loading:
            return
        self._loading = True
        self._more.props(add="loading")
        try:
            await self._pages.load_more()
        except AuroraError as error:
            self._say(f"Could not load more jobs: {error}")
        finally:
            self._loading = False
            self._more.props(remove="loading")
        self._show_pages()

    def _job_deleted(self, job_id: str) -> None:
        """A job was deleted from this dashboard: its card goes, whatever page it was on."""
        self._pages.forget(job_id)
        self._show_pages()

    def _say(self, text: str) -> None:
        """A warning in this board's tab (from a task of its own, which has no page)."""
        if not self.is_deleted:
            with self:
                ui.notify(text, type="warning")

    def _show_pages(self) -> None:
        """Take the jobs loaded; an end a card saw on the stream outlives an older listing."""
        if self.is_deleted or not self._pages.listed:
            return
        known = self._jobs or {}
        jobs = _waiting_in_turn(sorted(self._pages.jobs, key=lambda job: job.created_at,
                                       reverse=True))
        self._jobs = {job.job_id: _newer(known.get(job.job_id), job) for job in jobs}
        self._render()

    def _card_ended(self, card: JobCard) -> None:
        """A running card saw its job end: put a finished card in its place (tab still open)."""
        if self.is_deleted or self._jobs is None:
            return
        if self._cards.get(card.job.job_id) is card:
            self._jobs[card.job.job_id] = card.summary()
            self._render()

    @property
    def shown(self) -> str:
        """The filter the list shows now (a key of ``FILTERS``)."""
        return str(self._filter.value)

    def _filter_changed(self) -> None:
        """Show the picked filter's jobs (building only cards never shown before); say so."""
        self._render()
        self._on_view(self._filter.value, self.query)

    def _render(self) -> None:
        """Bring the cards up to date with the jobs, then show only those in the filter."""
        jobs = self._jobs
        if jobs is None:
            return
        self._match_cards(jobs)
        for job_id, card in self._cards.items():
            card.set_visibility(self._in_filter(jobs[job_id]))
        self._show_counts()
        self._show_empty(bool(jobs))
        self._more.set_visibility(self._pages.more)

    def _match_cards(self, jobs: dict[str, JobSummary]) -> None:
        """Keep, advance, replace, add (in the filter only), drop and order the cards."""
        cards: dict[str, JobCard] = {}
        for job in jobs.values():
            card = self._cards.pop(job.job_id, None)
            if card is not None and card.outdated_by(job):
                card.delete()
                card = None
            if card is not None:
                card.advance(job)
            elif self._in_filter(job):
                with self._box:
                    card = JobCard(job, self._dashboard, user=self._user,
                                   on_watch=self._on_watch, on_ended=self._card_ended)
            if card is not None:
                cards[job.job_id] = card
        for gone in self._cards.values():
            gone.delete()
        self._cards = cards
        for index, card in enumerate(cards.values()):
            if self._box.default_slot.children.index(card) != index:
                card.move(self._box, target_index=index)

    def _in_filter(self, job: JobSummary) -> bool:
        """Whether the filters picked now show ``job``."""
        return self._is_shown_owner(job) and FILTERS[self._filter.value][1](job.status)

    def _is_shown_owner(self, job: JobSummary) -> bool:
        return self._owners.value == EVERYONE or job.owner == self._user.name

    def _show_counts(self) -> None:
        """Each status filter's label with how many of the view's jobs it holds: the
        backend's count, or (from a backend that counts nothing) those loaded."""
        statuses = [job.status for job in (self._jobs or {}).values()
                    if self._is_shown_owner(job)]
        counts = {key: self._pages.count(None if key == ALL else key) for key in FILTERS}
        self._filter.set_options({
            key: f"{label} · {sum(map(matches, statuses)) if counts[key] is None else counts[key]}"
            for key, (label, matches) in FILTERS.items()})

    def _show_empty(self, any_jobs: bool) -> None:
        """Say so when there is nothing to show: no jobs at all, or none in the filter."""
        self._empty.set_visibility(not any(card.visible for card in self._cards.values()))
        label = FILTERS[self._filter.value][0].lower()
        self._empty_icon.set_name("filter_alt_off" if any_jobs or self.query else "movie_filter")
        if self.query:
            self._empty_text.set_text(f"No {label} jobs match “{self.query}”")
        else:
            self._empty_text.set_text(f"No {label} jobs" if any_jobs else "No videos yet")
        self._create.set_visibility(not any_jobs and not self.query)


def _waiting_in_turn(newest_first: list[JobSummary]) -> list[JobSummary]:
    """Newest first, except that the jobs waiting with a place in line trade places among
    themselves, so the last to start is on top and the next just above the running ones (a
    queued job moved ahead moves down to the front of the line)."""
    def placed(job: JobSummary) -> bool:
        return job.status == JobStatus.PENDING and job.queue_position is not None

    in_turn = iter(sorted(filter(placed, newest_first),
                          key=lambda job: job.queue_position or 0, reverse=True))
    return [next(in_turn) if placed(job) else job for job in newest_first]


def _newer(known: JobSummary | None, listed: JobSummary) -> JobSummary:
    """The listed job, unless a card already saw it further along (an end the list lags)."""
    if known is None or furthest_status(listed.status, known.status) == listed.status:
        return listed
    return known


def _stale_text(error: str) -> str:
    """The note over a list that the directory could not refresh (empty while it can)."""
    return f"The job list may be out of date: {error}" if error else ""
