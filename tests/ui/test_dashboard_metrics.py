"""The dashboard's ``/metrics`` counts the tabs a real browser holds open, the progress streams
they make it hold to the backend, and the one stream of changes that spares it polling the job
list; the embedded pair serves the backend's series too."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from testkit.app_process import quick_dashboard
from testkit.metrics import scrape, value
from testkit.sse import generate, read_events
from testkit.waiting import wait_until


def test_tabs_streams_and_the_embedded_backends_jobs_are_counted(page: Page,
                                                                  tmp_path: Path) -> None:
    with quick_dashboard(tmp_path / "data") as app:
        samples = scrape(app.base_url)
        assert samples[("aurora_dashboard_open_tabs", ())] == 0
        assert samples[("aurora_dashboard_upstream_streams", ())] == 0
        assert samples[("aurora_dashboard_event_streams", ())] == 0
        assert ("aurora_dashboard_list_polls_total", ()) in samples
        assert samples[("aurora_jobs", (("status", "completed"),))] == 0  # the backend's

        job_id = generate(app.api_url, duration=30)
        other = page.context.new_page()
        for tab in (page, other):
            tab.goto(f"{app.base_url}/?job={job_id}")
            expect(tab.get_by_test_id("progress-dialog")).to_be_visible()
        wait_until(lambda: value(app.base_url, "aurora_dashboard_open_tabs") == 2,
                   what="two tabs counted")
        assert value(app.base_url, "aurora_dashboard_upstream_streams") == 1  # one per job
        assert value(app.base_url, "aurora_dashboard_event_streams") == 1  # one for all tabs
        lists_read = value(app.base_url, "aurora_dashboard_list_polls_total")
        assert lists_read >= 1
        other.close()
        wait_until(lambda: value(app.base_url, "aurora_dashboard_open_tabs") == 1,
                   what="the closed tab no longer counted")

        assert read_events(app.api_url, job_id)[-1].data == {"status": "completed"}
        samples = scrape(app.base_url)
        assert samples[("aurora_dashboard_list_polls_total", ())] == lists_read  # no polling
        assert samples[("aurora_jobs", (("status", "completed"),))] == 1
        assert samples[("aurora_scene_render_seconds_count", ())] == 5  # a 30 s video's
