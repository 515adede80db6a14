"""How long an SSE progress event takes from leaving the backend to showing in the browser's DOM.

The contract peer (``testkit/peer``) is the dashboard's remote backend. Each of its updates
carries, in its stage text, the wall-clock time at which the peer sent it; in the browser a
``MutationObserver`` notes when that text lands in the dialog. The path measured is the whole
dashboard: peer → httpx-sse → ``apply_event`` → binding → NiceGUI websocket → Vue → DOM.
Prints the median, the 95th and the 99th percentile; asserts nothing.

    .venv/bin/python -m bench.event_to_dom
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

from bench.stats import percentile
from testkit.app_process import AppProcess
from testkit.browser import launch
from testkit.peer import Pause, PeerServer, SendUpdate, Step

EVENTS = 50
GAP = 0.15  # seconds between events: the dialog shows each one before the next arrives

OBSERVER = """
window.latencies = [];
new MutationObserver(() => {
  const stage = document.querySelector('[data-testid=current-stage]');
  const sent = stage && stage.textContent.match(/sent at ([0-9.]+)/);
  if (sent && stage.textContent !== window.lastSeen) {
    window.lastSeen = stage.textContent;
    window.latencies.push((performance.timeOrigin + performance.now()) / 1000 - Number(sent[1]));
  }
}).observe(document, {subtree: true, childList: true, characterData: true});
"""


class SentNow(Mapping[str, Any]):
    """Update fields read by the peer as it sends the event, so the stamp is the sending time."""

    def __init__(self, index: int, count: int) -> None:
        self._index, self._count = index, count

    def _fields(self) -> dict[str, Any]:
        return {"status": "processing", "progress": self._index * 100 / self._count,
                "current_stage": f"bench_{self._index}",
                "current_stage_display": f"Event {self._index} sent at {time.time():.6f}"}

    def __getitem__(self, key: str) -> Any:
        return self._fields()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._fields())

    def __len__(self) -> int:
        return len(self._fields())


def stamped_updates(count: int = EVENTS, gap: float = GAP) -> list[Step]:
    """``count`` updates, ``gap`` seconds apart, each stamped as it is sent.

    ``SendUpdate`` takes only kwargs, which would be evaluated now, so each gets a ``SentNow``.
    """
    steps: list[Step] = []
    for index in range(1, count + 1):
        step = SendUpdate()
        object.__setattr__(step, "fields", SentNow(index, count))
        steps += [step, Pause(gap)]
    return steps


def measure() -> list[float]:
    """Seconds from send to DOM for each of ``EVENTS`` events."""
    steps = stamped_updates()
    with PeerServer() as server, tempfile.TemporaryDirectory() as scratch, sync_playwright() as pw:
        server.peer.add_job("bench", [Pause(2.0), *steps, Pause()])
        app = AppProcess(Path(scratch) / "data", api_url=server.url).start()
        browser = launch(pw)
        try:
            page = browser.new_page()
            page.add_init_script(OBSERVER)
            page.goto(f"{app.base_url}/?job=bench")
            page.wait_for_function(f"window.latencies.length >= {EVENTS}",
                                   timeout=(EVENTS * GAP + 30) * 1000)
            latencies: list[float] = page.evaluate("window.latencies")
        finally:
            browser.close()
            app.stop()
    return latencies


def main() -> None:
    """Run the measurement and print the figures."""
    latencies = [seconds * 1000 for seconds in sorted(measure())]
    print(f"SSE event -> DOM over {len(latencies)} events (peer -> dashboard -> Chromium):")
    print(f"  median {statistics.median(latencies):.1f} ms"
          f"   p95 {percentile(latencies, 0.95):.1f} ms   p99 {percentile(latencies, 0.99):.1f} ms"
          f"   min {latencies[0]:.1f} ms   max {latencies[-1]:.1f} ms")


if __name__ == "__main__":
    main()
