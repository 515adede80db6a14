"""``GET /metrics`` of the backend alone (``python main.py api``), read with Prometheus's own
parser, counts what the test did (the dashboard's: ``tests/ui/test_dashboard_metrics.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from testkit.app_process import QUICK_RENDERS, AppProcess
from testkit.metrics import Samples, scrape
from testkit.sse import follow, generate, read_events, status_of
from testkit.waiting import wait_until
from testkit.webhook_receiver import WebhookReceiver


def jobs_by_status(samples: Samples) -> dict[str, float]:
    return {dict(labels)["status"]: value for (name, labels), value in samples.items()
            if name == "aurora_jobs"}


@pytest.fixture
def api(tmp_path: Path) -> Iterator[AppProcess]:
    """A backend of the test's own, so every count starts at zero."""
    app = AppProcess(tmp_path / "data", command="api",
                     env={**QUICK_RENDERS, "AURORA_WEBHOOK_HOSTS": "127.0.0.1"}).start()
    yield app
    app.stop()


def test_the_backends_metrics_count_its_jobs_scenes_and_webhooks(api: AppProcess) -> None:
    assert jobs_by_status(scrape(api.base_url)) == {
        "pending": 0, "processing": 0, "completed": 0, "failed": 0}
    with WebhookReceiver(failures=1).running() as receiver:
        job_id = generate(api.base_url, webhook_url=receiver.url)
        assert read_events(api.base_url, job_id)[-1].data == {"status": "completed"}
        receiver.wait_for(2)
        wait_until(lambda: scrape(api.base_url).get(
            ("aurora_webhook_deliveries_total", (("outcome", "delivered"),))) == 1,
            timeout=30, what="the delivery counted")

    samples = scrape(api.base_url)
    assert jobs_by_status(samples) == {
        "pending": 0, "processing": 0, "completed": 1, "failed": 0}
    assert samples[("aurora_webhook_deliveries_total", (("outcome", "retried"),))] == 1
    assert ("aurora_webhook_deliveries_total", (("outcome", "abandoned"),)) not in samples
    assert samples[("aurora_scene_render_seconds_count", ())] == 3  # a 15 s video's scenes
    assert samples[("aurora_scene_render_seconds_sum", ())] > 0
    assert samples[("aurora_queue_length", ())] == 0


def test_open_progress_streams_and_the_queue_are_counted(api: AppProcess) -> None:
    running = generate(api.base_url, duration=60)
    waiting = generate(api.base_url)  # behind it: one slot
    wait_until(lambda: status_of(api.base_url, running) == "processing", timeout=30,
               what="the first job rendering")
    samples = scrape(api.base_url)
    assert jobs_by_status(samples)["processing"] == 1
    assert jobs_by_status(samples)["pending"] == 1
    assert samples[("aurora_queue_length", ())] == 1
    assert samples[("aurora_progress_streams", ())] == 0

    streams = [follow(api.base_url, waiting) for _ in range(2)]
    for stream in streams:
        assert next(stream).event == "update"  # open, and held open
    assert scrape(api.base_url)[("aurora_progress_streams", ())] == 2
    for stream in streams:
        stream.close()
    wait_until(lambda: scrape(api.base_url)[("aurora_progress_streams", ())] == 0,
               what="both streams counted closed")

    for job_id in (waiting, running):
        assert httpx.post(f"{api.base_url}/api/v1/jobs/{job_id}/cancel",
                          timeout=10).status_code == 202
    assert jobs_by_status(scrape(api.base_url)) == {
        "pending": 0, "processing": 0, "completed": 0, "failed": 2}
