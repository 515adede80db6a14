"""The five jobs the ``/jobs`` page tests list on the peer, and how to read which cards show."""

from __future__ import annotations

import time

from playwright.sync_api import Locator, Page, expect

from testkit.peer import Peer, SendUpdate, waiting

RUNNING = {"status": "processing", "current_stage": "scene_3_generating",
           "current_stage_display": "Generating scene 3", "estimated_time_remaining": 95}
NEWEST_FIRST = ["lighthouse", "fox", "boat", "balloon", "lights"]  # the names ``add_jobs`` gives


def add_jobs(peer: Peer, tag: str) -> dict[str, str]:
    """Five jobs, oldest first: two finished, one failed, two running; their ids by name.

    Ids carry the test's ``tag``: the dashboard's hub keeps a job's stream a grace after a
    test, so a job id used again would find the previous test's stream.
    """
    ids = {name: f"{tag}-{name}" for name in ("lights", "balloon", "boat", "fox", "lighthouse")}
    now = time.time()
    peer.add_job(ids["lights"], prompt="Northern lights over a frozen lake", status="completed",
                 progress=100, duration=60, aspect_ratio="1:1", style="dreamy",
                 created_at=now - 7200)
    peer.add_job(ids["balloon"], prompt="A hot-air balloon over red canyons", status="failed",
                 error="Renderer ran out of memory", duration=30, created_at=now - 3600)
    peer.add_job(ids["boat"], prompt="A paper boat on a rainy street", status="completed",
                 progress=100, style="cinematic", created_at=now - 1800)
    peer.add_job(ids["fox"], [SendUpdate(progress=48, **RUNNING), *waiting()], **RUNNING,
                 prompt="A fox runs through a snowy forest at dawn", duration=30,
                 style="cinematic", created_at=now - 120)
    peer.add_job(ids["lighthouse"], [SendUpdate(), *waiting()],
                 current_stage_display="Waiting in queue",
                 prompt="A lighthouse in a storm, waves crashing against the rocks",
                 created_at=now - 10)
    return ids


def shown_cards(page: Page) -> Locator:
    """The job cards the user sees (a filter hides the others; it does not delete them)."""
    return page.get_by_test_id("job-card").filter(visible=True)


def expect_shown(page: Page, job_ids: list[str]) -> None:
    """The cards shown are those of ``job_ids``, in this order (waits, as ``expect`` does).

    The list may first show the last listing a previous test left, so counting is not enough.
    """
    cards = shown_cards(page)
    expect(cards).to_have_count(len(job_ids))
    for index, job_id in enumerate(job_ids):
        expect(cards.nth(index)).to_have_attribute("data-job-id", job_id)
