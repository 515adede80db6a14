"""History at size: ``/jobs`` and the list API with 10,000 jobs in the store.

The backend (``main.py api``, SQLite) starts on 10,000 finished jobs written into its store
beforehand; a dashboard (``--api-url``) and Debian's Chromium use it. Prints, in one run:

1. ``/jobs`` first paint in Chromium: navigation start to the first job card drawn (median of
   five loads, and the worst);
2. the list API's answer to a search (``q``) and to a page deep in the history
   (``offset=5000``), median and p95 of 30 requests each, beside the plain first page;
3. *Load more* in the page: click to the next 50 cards drawn (median of five);
4. the dashboard's memory (RSS) with five ``/jobs`` tabs open;
5. requests per minute the backend gets from a dashboard with five ``/jobs`` tabs open and
   nothing changing, side by side: this backend (the dashboard follows its events stream) and
   a backend without one (the contract peer, ``testkit/peer``: the dashboard polls it).

Targets (issue 16): first paint ≤ 1 s, search and next page ≤ 200 ms, no list requests with
events. Run with ``python -m bench.history``.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import psutil
from playwright.sync_api import Browser, Page, sync_playwright

from bench.stats import percentile
from services.contract import API_PREFIX
from testkit.app_process import AppProcess
from testkit.browser import launch
from testkit.peer import PeerServer
from testkit.stored_jobs import store_before_start, stored_job

JOBS = 10_000
WORDS = ("lighthouse", "harbour", "fox", "tram", "kite", "rain", "dunes", "lantern")
TABS = 5
QUIET_SECONDS = 30.0
LISTING = f"{API_PREFIX}/jobs"

# Resolves with the milliseconds from a click on *Load more* until 50 more cards are drawn.
LOAD_MORE = """async () => {
  const count = () => document.querySelectorAll('[data-testid=job-card]').length;
  const before = count();
  const start = performance.now();
  document.querySelector('[data-testid=load-more]').click();
  await new Promise((resolve) => {
    const check = () => { if (count() >= before + 50) { observer.disconnect(); resolve(); } };
    const observer = new MutationObserver(check);
    observer.observe(document.body, {subtree: true, childList: true});
    check();
  });
  await new Promise(requestAnimationFrame);
  return performance.now() - start;
}"""


def history(data_dir: Path) -> None:
    """10,000 finished jobs a minute apart, their prompts drawn from a few words."""
    now = time.time()
    store_before_start(data_dir, [
        stored_job(f"{number:016x}", at=now - 60 * (JOBS - number),
                   prompt=f"Take {number}: a {WORDS[number % len(WORDS)]} at dusk, "
                          f"then a {WORDS[(number * 7) % len(WORDS)]}",
                   status="failed" if number % 17 == 0 else "completed")
        for number in range(JOBS)])


def first_paint(page: Page, url: str) -> float:
    """Seconds from the navigation's start until the first job card is drawn."""
    page.goto(url, wait_until="commit")
    page.wait_for_selector("[data-testid=job-card]")
    drawn: float = page.evaluate("""() => new Promise((resolve) => requestAnimationFrame(
        () => resolve(performance.now())))""")
    return drawn / 1000  # performance.now() counts from the navigation's start


def answers(api: httpx.Client, params: dict[str, str | int], rounds: int = 30) -> list[float]:
    """Milliseconds each of ``rounds`` list requests with ``params`` took."""
    timings = []
    for round_ in range(rounds):
        started = time.perf_counter()
        answer = api.get(f"{API_PREFIX}/jobs", params={
            **params, **({"q": WORDS[round_ % len(WORDS)]} if "q" in params else {})})
        answer.raise_for_status()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def open_jobs_tabs(browser: Browser, dashboard: AppProcess, count: int) -> list[Page]:
    """``count`` more tabs on the dashboard's ``/jobs``, each with its cards drawn."""
    tabs = [browser.new_page(viewport={"width": 1280, "height": 860}) for _ in range(count)]
    for tab in tabs:
        tab.goto(f"{dashboard.base_url}/jobs")
        tab.wait_for_selector("[data-testid=job-card]")
    return tabs


def per_minute(count: Callable[[], tuple[int, int]]) -> tuple[float, float]:
    """List requests and all requests a minute, by ``count`` (both, so far) over a quiet
    ``QUIET_SECONDS``."""
    time.sleep(2)  # the tabs' own first requests are not part of the quiet
    lists, every = count()
    time.sleep(QUIET_SECONDS)
    lists_after, every_after = count()
    return ((lists_after - lists) * 60 / QUIET_SECONDS,
            (every_after - every) * 60 / QUIET_SECONDS)


def polling_per_minute(browser: Browser, scratch: Path) -> tuple[float, float]:
    """``per_minute`` of a dashboard polling a backend without the events stream (the peer,
    which answers it 404), with ``TABS`` ``/jobs`` tabs open."""
    with PeerServer() as server:
        peer = server.peer
        peer.add_job("a-finished-one", status="completed", progress=100)
        dashboard = AppProcess(scratch / "polling-dashboard", api_url=server.url).start()
        try:
            tabs = open_jobs_tabs(browser, dashboard, TABS)
            rates = per_minute(lambda: (
                sum(seen.path == LISTING for seen in peer.requests), len(peer.requests)))
            for tab in tabs:
                tab.close()
            return rates
        finally:
            dashboard.stop()


def main() -> None:
    """Build the history, start everything, measure, print."""
    with tempfile.TemporaryDirectory() as scratch, sync_playwright() as playwright:
        backend_dir, dashboard_dir = Path(scratch) / "backend", Path(scratch) / "dashboard"
        started = time.perf_counter()
        history(backend_dir)
        print(f"History at size: {JOBS:,} jobs written in {time.perf_counter() - started:.1f} s")
        backend = AppProcess(backend_dir, command="api").start()
        dashboard = AppProcess(dashboard_dir, api_url=backend.base_url).start()
        browser = launch(playwright)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 860})
            paints = [first_paint(page, f"{dashboard.base_url}/jobs") for _ in range(5)]
            print(f"1. /jobs first paint: median {statistics.median(paints):.2f} s, "
                  f"worst {max(paints):.2f} s (target 1 s)")

            with httpx.Client(base_url=backend.base_url, timeout=30) as api:
                print("2. list API (ms):")
                cases: list[tuple[str, dict[str, str | int]]] = [
                    ("first page", {"limit": 50}), ("search (q=one word)", {"q": "", "limit": 50}),
                    ("page at offset 5000", {"limit": 50, "offset": 5000})]
                for label, params in cases:
                    timings = answers(api, params)
                    print(f"   {label:<21} median {statistics.median(timings):6.1f}   "
                          f"p95 {percentile(timings, 0.95):6.1f}   (target 200)")

            page.get_by_test_id("load-more").wait_for()
            more = [page.evaluate(LOAD_MORE) for _ in range(5)]
            print(f"3. load more: click -> 50 more cards drawn, median "
                  f"{statistics.median(more):.0f} ms, worst {max(more):.0f} ms")

            tabs = [page, *open_jobs_tabs(browser, dashboard, TABS - 1)]
            time.sleep(2)
            assert dashboard.process is not None
            rss = psutil.Process(dashboard.process.pid).memory_info().rss / 2**20
            print(f"4. dashboard memory with {TABS} /jobs tabs open: {rss:.0f} MiB RSS")

            events = per_minute(lambda: (backend.requests_served(LISTING),
                                         backend.requests_served()))
            for tab in tabs:
                tab.close()
            polling = polling_per_minute(browser, Path(scratch))
            print(f"5. requests a minute to the backend, {TABS} /jobs tabs open, nothing "
                  f"changing (target with events: 0 list requests):")
            for label, (lists, every) in (("events stream", events), ("polling", polling)):
                print(f"   {label:<14} {lists:5.0f} list requests   {every:5.0f} requests")
        finally:
            browser.close()
            dashboard.stop()
            backend.stop()


if __name__ == "__main__":
    main()
