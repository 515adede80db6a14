"""Many tabs, many jobs: upstream connections, memory per tab, clean-up, event → DOM latency.

The dashboard runs in its own process against the contract peer (``testkit/peer``), which
counts each job's open progress connections on its own side. Headless Chromium opens:

1. 50 tabs on 10 running jobs (slow ``contract_run``s), each tab's progress dialog open:
   the peer's count of upstream connections, the dashboard's RSS per tab beyond the first
   ten (psutil), and whether every count falls back to zero once the tabs close.
2. 20 tabs on 5 jobs: event → DOM latency p50/p99 over every event in every tab, measured
   as ``bench/event_to_dom.py`` does (the peer stamps each update with its sending time, an
   observer in the page notes when it lands); then the same 20 tabs on a bare NiceGUI page
   (``bench/bare_push.py``, its own process) that pushes one label: the floor. Beside each,
   the CPU that Chromium spent idle (``IDLE_SECONDS`` with the tabs open and nothing sent:
   the dialogs only count their ETA down and turn their spinner) and while the events played.

   The dashboard runs twice: with its animations on, as users see it (the run that the
   target, p99 within 1.5x the floor's, is about), and asking for reduced motion, to show
   what the animations cost. Headless Chromium, rendering in software, treats all 20 tabs as
   shown (a real browser paints only the tab in front), so the animations run in every tab,
   on the same two cores that are being timed: the harder case.

Prints figures; asserts nothing.

    .venv/bin/python -m bench.many_tabs
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import httpx
import psutil
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from bench.event_to_dom import GAP, OBSERVER, stamped_updates
from bench.stats import percentile
from services.dashboard.hub import GRACE_SECONDS
from testkit.app_process import AppProcess, cpu_seconds, free_port
from testkit.browser import TAB_RELEASE, launch
from testkit.peer import Job, Peer, PeerServer, SendUpdate, contract_run, play_next, waiting

Motion = Literal["no-preference", "reduce"]
MANY_TABS, MANY_JOBS = 50, 10
LATENCY_TABS, LATENCY_JOBS = 20, 5
# Every event lands in all 20 tabs at once, so a hiccup delays 20 samples together: with 50
# events, p99 was the single worst moment of the run and swung by half between runs.
LATENCY_EVENTS = 200
SETTLE = 2.0  # seconds for memory to settle before it is read
IDLE_SECONDS = 10.0  # how long the tabs' CPU is read with nothing sent, before the events
RELEASE_WITHIN = TAB_RELEASE + 5.0  # NiceGUI's reconnect timeout, the hub's grace, margin


def rss_mb(process: subprocess.Popen[bytes]) -> float:
    """The resident memory of ``process`` in MB, after a moment to settle."""
    time.sleep(SETTLE)
    return psutil.Process(process.pid).memory_info().rss / 2**20


def open_dialog_tab(browser_page: Page, url: str) -> Page:
    """Load ``url`` (a job's dialog) and wait until it shows the job's stage."""
    browser_page.goto(url)
    expect(browser_page.get_by_test_id("current-stage")).not_to_have_text(
        "Connecting…", timeout=60_000)
    return browser_page


def upstream(peer: Peer) -> tuple[int, int]:
    """Open progress connections now, and opened in all, over every job of the peer."""
    jobs = list(peer.jobs.values())
    return sum(job.open_streams for job in jobs), sum(job.streams_opened for job in jobs)


def wait_for_zero(peer: Peer) -> float | None:
    """Seconds until the peer has no progress connection open, or None if not within time."""
    start = time.monotonic()
    while time.monotonic() - start < RELEASE_WITHIN:
        if upstream(peer)[0] == 0:
            return time.monotonic() - start
        time.sleep(0.1)
    return None


def many_tabs(browser: Browser, app: AppProcess, peer: Peer) -> None:
    """Part 1: 50 tabs on 10 jobs; connections, memory per tab, clean-up."""
    assert app.process is not None
    for index in range(MANY_JOBS):
        peer.add_job(f"many-{index}", contract_run(5, pause=30),
                     prompt=f"Bench job {index}", duration=30)
    baseline = rss_mb(app.process)
    context = browser.new_context()
    urls = [f"{app.base_url}/?job=many-{index % MANY_JOBS}" for index in range(MANY_TABS)]
    for url in urls[:MANY_JOBS]:
        open_dialog_tab(context.new_page(), url)
    one_tab_per_job = rss_mb(app.process)
    for url in urls[MANY_JOBS:]:
        open_dialog_tab(context.new_page(), url)
    everything = rss_mb(app.process)
    open_now, opened = upstream(peer)
    per_tab = (everything - one_tab_per_job) / (MANY_TABS - MANY_JOBS)
    print(f"{MANY_TABS} tabs on {MANY_JOBS} running jobs:")
    print(f"  upstream progress connections (peer's count): {open_now} open, {opened} opened")
    print(f"  dashboard RSS: {baseline:.1f} MB idle, {one_tab_per_job:.1f} MB with one tab per "
          f"job, {everything:.1f} MB with {MANY_TABS}: {per_tab:.2f} MB per extra tab")
    context.close()
    released = wait_for_zero(peer)
    verdict = f"yes, after {released:.1f} s" if released is not None else "NO"
    print(f"  every count back to zero after the tabs closed: {verdict} "
          f"(NiceGUI's reconnect timeout 3 s + the hub's grace {GRACE_SECONDS:g} s)")


@dataclass(frozen=True)
class Played:
    """What the tabs saw of one run of events: latencies (ms), and the browser's CPU meanwhile."""

    latencies: list[float]
    browser_cores: float  # Chromium's CPU seconds per second while the events played
    idle_cores: float  # the same, for IDLE_SECONDS before them: tabs open, nothing sent


def browser_cpu_seconds() -> float:
    """CPU seconds used so far by the Chromium processes this bench started."""
    descendants = psutil.Process().children(recursive=True)
    return cpu_seconds(process for process in descendants if _is_chromium(process))


def browser_cores_over(seconds: float) -> float:
    """Chromium's CPU seconds per second over the next ``seconds``."""
    before = browser_cpu_seconds()
    time.sleep(seconds)
    return (browser_cpu_seconds() - before) / seconds


def _is_chromium(process: psutil.Process) -> bool:
    try:
        return "chrom" in process.name()
    except psutil.NoSuchProcess:
        return False


def play(start: Callable[[], object], tabs: list[Page]) -> Played:
    """Start the events and note every tab's latencies once each shows the last event.

    An event that a later one overwrites before it reaches the DOM (both pushed in one
    websocket message) has no latency to note; the figures say how many were noted.
    """
    idle = browser_cores_over(IDLE_SECONDS)
    cpu_before, began = browser_cpu_seconds(), time.monotonic()
    start()
    latencies: list[float] = []
    for tab in tabs:
        tab.wait_for_function(f"(window.lastSeen || '').startsWith('Event {LATENCY_EVENTS} ')",
                              timeout=(LATENCY_EVENTS * GAP + 60) * 1000)
        latencies += [seconds * 1000 for seconds in tab.evaluate("window.latencies")]
    cores = (browser_cpu_seconds() - cpu_before) / (time.monotonic() - began)
    return Played(latencies, cores, idle)


@contextmanager
def bare_app() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``bench/bare_push.py`` in its own process; its URL and the process."""
    port = free_port()
    command = [sys.executable, "-m", "bench.bare_push", "--port", str(port),
               "--events", str(LATENCY_EVENTS), "--gap", str(GAP)]
    process = subprocess.Popen(command, cwd=Path(__file__).resolve().parents[1],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(url + "/", timeout=2)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the bare NiceGUI app did not start") from None
                time.sleep(0.1)
        yield url, process
    finally:
        process.terminate()
        process.wait(timeout=15)


def dashboard_tabs(browser: Browser, app: AppProcess, peer: Peer, *, motion: Motion
                   ) -> tuple[BrowserContext, list[Page], Played]:
    """20 tabs on 5 fresh jobs with their dialogs open; their latencies over every event."""
    peer.keepalive = 0.9  # one keep-alive a second while the jobs wait for the tabs to open
    jobs: list[Job] = [peer.add_job(f"latency-{motion}-{index}", [
        SendUpdate(status="processing", progress=1, current_stage_display="Ready for the bench",
                   estimated_time_remaining=3600),  # idle, a dialog counts this down
        *waiting(600, step=1.0)]) for index in range(LATENCY_JOBS)]
    context = browser.new_context(reduced_motion=motion)
    context.add_init_script(OBSERVER)
    tabs = [open_dialog_tab(context.new_page(),
                            f"{app.base_url}/?job={jobs[index % LATENCY_JOBS].state['job_id']}")
            for index in range(LATENCY_TABS)]

    def start() -> None:
        for job in jobs:
            play_next(job, *stamped_updates(LATENCY_EVENTS))

    return context, tabs, play(start, tabs)


def latency(browser: Browser, app: AppProcess, peer: Peer) -> None:
    """Part 2: 20 tabs on 5 jobs, animations on, then reduced; then the same tabs, bare."""
    context, _, animated = dashboard_tabs(browser, app, peer, motion="no-preference")
    context.close()
    context, tabs, dashboard = dashboard_tabs(browser, app, peer, motion="reduce")
    with bare_app() as (url, process):
        idle = rss_mb(process)
        for tab in tabs:
            tab.goto(url)
            expect(tab.get_by_test_id("current-stage")).to_have_text("Waiting for the bench")
        per_tab = (rss_mb(process) - idle) / LATENCY_TABS
        floor = play(lambda: httpx.get(url + "/start", timeout=5).raise_for_status(), tabs)
    context.close()

    print(f"Event -> DOM, {LATENCY_TABS} tabs, {LATENCY_EVENTS} events each "
          f"({LATENCY_JOBS} jobs on the dashboard), ms:")
    print(f"  {'':40} {'p50':>7} {'p99':>7} {'max':>7} {'noted':>6} "
          f"{'browser cores: idle':>20} {'events':>7}")
    for name, run in (("dashboard, animations on in every tab", animated),
                      ("dashboard, reduced motion", dashboard),
                      ("bare NiceGUI label, same tabs (floor)", floor)):
        values = run.latencies
        print(f"  {name:40} {statistics.median(values):7.1f} {percentile(values, 0.99):7.1f} "
              f"{max(values):7.1f} {len(values):6d} {run.idle_cores:20.2f} "
              f"{run.browser_cores:7.2f}")
    for name, run in (("animations on", animated), ("reduced motion", dashboard)):
        ratio = percentile(run.latencies, 0.99) / percentile(floor.latencies, 0.99)
        print(f"  dashboard p99 / floor p99, {name}: {ratio:.2f} (target: 1.5 at most)")
    print(f"  bare NiceGUI RSS per tab: {per_tab:.2f} MB")


def main() -> None:
    """Run both parts against one dashboard and one peer, and print the figures."""
    with PeerServer() as server, tempfile.TemporaryDirectory() as scratch, \
            sync_playwright() as playwright:
        app = AppProcess(Path(scratch) / "data", api_url=server.url).start()
        browser = launch(playwright)
        try:
            many_tabs(browser, app, server.peer)
            latency(browser, app, server.peer)
        finally:
            browser.close()
            app.stop()


if __name__ == "__main__":
    main()
