"""How long a click on ``/jobs``'s status filter takes to show the filtered list, with 73 jobs.

The contract peer (``testkit/peer``) lists 73 jobs, as in the user test that found switching
slow: 3 running (their streams stay open), 60 completed, 10 failed. In Chromium, a script
clicks a filter and notes when the cards shown are exactly the filter's, then waits for the
next animation frame (the frame that draws them). Prints the median and the worst per filter;
asserts nothing.

    .venv/bin/python -m bench.jobs_filter
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from testkit.app_process import AppProcess
from testkit.browser import launch
from testkit.peer import Pause, Peer, PeerServer, SendUpdate, Step

RUNNING, COMPLETED, FAILED = 3, 60, 10
ROUNDS = 15
FILTERS = ("Running", "Completed", "Failed", "All")
SETTLE_SECONDS = 0.3  # between clicks, so that one switch never overlaps the next

# Clicks the filter button whose label starts with ``label``; resolves with the milliseconds
# until the visible cards are exactly those of ``statuses`` (all cards if null), drawn.
CLICK_AND_TIME = """
async ([label, statuses, expected]) => {
  const shown = () => [...document.querySelectorAll('[data-testid=job-card]')]
    .filter((card) => card.checkVisibility());
  const done = () => {
    const cards = shown();
    return cards.length === expected
      && cards.every((card) => !statuses || statuses.includes(card.dataset.status));
  };
  const button = [...document.querySelectorAll('[data-testid=status-filter] button')]
    .find((button) => button.textContent.trim().startsWith(label));
  const start = performance.now();
  button.click();
  await new Promise((resolve) => {
    const check = () => { if (done()) { observer.disconnect(); resolve(); } };
    const observer = new MutationObserver(check);
    observer.observe(document.body, {subtree: true, childList: true, attributes: true});
    check();
  });
  await new Promise(requestAnimationFrame);
  return performance.now() - start;
}
"""

STATUSES: dict[str, list[str] | None] = {
    "Running": ["pending", "processing"], "Completed": ["completed"], "Failed": ["failed"],
    "All": None,
}
COUNTS = {"Running": RUNNING, "Completed": COMPLETED, "Failed": FAILED,
          "All": RUNNING + COMPLETED + FAILED}


def add_jobs(peer: Peer) -> None:
    """The 73 jobs, created a minute apart, statuses mixed as a busy team's list would be."""
    now = time.time()
    statuses = ["processing"] + ["pending"] * (RUNNING - 1) \
        + ["completed"] * COMPLETED + ["failed"] * FAILED
    random.Random(73).shuffle(statuses)
    for index, status in enumerate(statuses):
        fields = {"status": status, "created_at": now - 60 * index,
                  "prompt": f"Bench job {index}: a fox runs through a snowy forest at dawn"}
        if status == "completed":
            fields["progress"] = 100
        if status == "failed":
            fields["error"] = "Renderer ran out of memory"
        steps: list[Step] = [SendUpdate(progress=40), Pause()] if status == "processing" \
            else [Pause()]
        peer.add_job(f"bench-{index}", steps, **fields)


def measure(page: Page) -> dict[str, list[float]]:
    """Milliseconds per switch, by filter, over ``ROUNDS`` rounds of every filter."""
    timings: dict[str, list[float]] = {label: [] for label in FILTERS}
    for _ in range(ROUNDS):
        for label in FILTERS:
            elapsed = page.evaluate(CLICK_AND_TIME, [label, STATUSES[label], COUNTS[label]])
            timings[label].append(elapsed)
            time.sleep(SETTLE_SECONDS)
    return timings


def run() -> dict[str, list[float]]:
    """Start peer, dashboard and Chromium; open ``/jobs``; time the switches."""
    with PeerServer() as server, tempfile.TemporaryDirectory() as scratch, sync_playwright() as pw:
        add_jobs(server.peer)
        app = AppProcess(Path(scratch) / "data", api_url=server.url).start()
        browser = launch(pw)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 860})
            page.goto(f"{app.base_url}/jobs")
            more = page.get_by_test_id("load-more")
            more.wait_for()  # the list shows pages of 50: load the rest, the page has them all
            while more.is_visible():
                more.click()
                page.wait_for_timeout(200)
            page.wait_for_function(
                f"document.querySelectorAll('[data-testid=job-card]').length >= {COUNTS['All']}")
            time.sleep(1.0)  # the first updates of the running cards arrive
            return measure(page)
        finally:
            browser.close()
            app.stop()


def main() -> None:
    """Run the measurement and print the figures."""
    timings = run()
    print(f"/jobs filter switch, click -> filtered list drawn ({COUNTS['All']} jobs, "
          f"{ROUNDS} switches each):")
    for label, values in timings.items():
        print(f"  {label:<9} median {statistics.median(values):6.1f} ms"
              f"   max {max(values):6.1f} ms   ({COUNTS[label]} cards)")
    every = [value for values in timings.values() for value in values]
    print(f"  overall   median {statistics.median(every):6.1f} ms   max {max(every):6.1f} ms")


if __name__ == "__main__":
    main()
