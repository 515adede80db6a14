"""``/jobs``'s status filter: kept in the URL, and switched without rebuilding the list."""

import re
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from testkit.app_process import AppProcess
from testkit.browser import job_card
from testkit.jobs_list import NEWEST_FIRST, add_jobs, expect_shown
from testkit.peer import Peer


def filter_button(page: Page, label: str) -> Locator:
    """The filter button ``label`` (its count follows the label: "Failed · 1")."""
    return page.get_by_test_id("status-filter").get_by_role("button",
                                                            name=re.compile(f"^{label} ·"))


def pick(page: Page, label: str) -> None:
    """Click the filter ``label``."""
    filter_button(page, label).click()


def expect_picked(page: Page, label: str) -> None:
    """The filter shown as picked is ``label``."""
    expect(filter_button(page, label)).to_have_attribute("aria-pressed", "true")


def test_the_filter_is_in_the_url_for_reload_back_and_forward(
        page: Page, peer_app: AppProcess, peer: Peer) -> None:
    ids = add_jobs(peer, "url")
    completed = [ids["boat"], ids["lights"]]
    page.goto(f"{peer_app.base_url}/jobs")
    expect_shown(page, [ids[name] for name in NEWEST_FIRST])
    page.evaluate("window.samePage = true")
    entries = page.evaluate("history.length")

    pick(page, "Completed")
    expect(page).to_have_url(f"{peer_app.base_url}/jobs?status=completed")
    expect_shown(page, completed)
    pick(page, "Failed")
    expect(page).to_have_url(f"{peer_app.base_url}/jobs?status=failed")
    pick(page, "All")
    expect(page).to_have_url(f"{peer_app.base_url}/jobs")
    pick(page, "Completed")
    expect(page).to_have_url(f"{peer_app.base_url}/jobs?status=completed")
    assert page.evaluate("window.samePage === true")  # no reload
    assert page.evaluate("history.length") == entries  # the URL was replaced, not pushed

    page.reload()
    expect_picked(page, "Completed")
    expect_shown(page, completed)

    job_card(page, ids["boat"]).get_by_test_id("open-workspace-button").click()
    page.wait_for_url(f"**/workspace/{ids['boat']}")
    page.go_back()
    expect(page).to_have_url(f"{peer_app.base_url}/jobs?status=completed")
    expect_picked(page, "Completed")
    expect_shown(page, completed)
    page.go_forward()
    expect(page).to_have_url(re.compile(rf"/workspace/{ids['boat']}$"))


def test_a_shared_link_shows_its_filter_and_an_unknown_one_shows_all(
        page: Page, peer_app: AppProcess, peer: Peer, screenshot_dir: Path) -> None:
    ids = add_jobs(peer, "shared")
    page.goto(f"{peer_app.base_url}/jobs?status=running")
    expect_picked(page, "Running")
    expect_shown(page, [ids["lighthouse"], ids["fox"]])
    expect(job_card(page, ids["fox"]).get_by_test_id("progress-percent")).to_have_text("48%")
    page.screenshot(path=screenshot_dir / "jobs-running.png", full_page=True,
                    animations="disabled")

    page.goto(f"{peer_app.base_url}/jobs?status=cancelled")
    expect_picked(page, "All")
    expect_shown(page, [ids[name] for name in NEWEST_FIRST])
    expect(page).to_have_url(f"{peer_app.base_url}/jobs")  # the URL says what is shown


def test_a_filter_builds_each_card_once_and_then_only_hides_or_shows_it(
        page: Page, peer_app: AppProcess, peer: Peer) -> None:
    ids = add_jobs(peer, "kept")
    page.goto(f"{peer_app.base_url}/jobs?status=completed")
    expect_shown(page, [ids["boat"], ids["lights"]])
    expect(page.get_by_test_id("job-card")).to_have_count(2)  # nothing else built, or watched

    pick(page, "All")
    expect(job_card(page, ids["fox"]).get_by_test_id("progress-percent")).to_have_text("48%")
    page.evaluate("""document.querySelectorAll('[data-testid=job-card]')
        .forEach((card) => { card.builtBefore = true; })""")
    for label, shown in [("Failed", ["balloon"]), ("Running", ["lighthouse", "fox"]),
                         ("Completed", ["boat", "lights"]), ("All", NEWEST_FIRST)]:
        pick(page, label)
        expect_shown(page, [ids[name] for name in shown])
    assert page.evaluate("""[...document.querySelectorAll('[data-testid=job-card]')]
        .every((card) => card.builtBefore)""")  # no card was built again
    expect(page.get_by_test_id("job-card")).to_have_count(5)
    expect(job_card(page, ids["fox"]).get_by_test_id("progress-percent")).to_have_text("48%")
    assert peer.jobs[ids["fox"]].streams_opened == 1


def test_a_dialog_opened_under_a_filter_keeps_the_filter_in_the_url(
        page: Page, peer_app: AppProcess, peer: Peer) -> None:
    ids = add_jobs(peer, "dialog")
    page.goto(f"{peer_app.base_url}/jobs?status=running")
    job_card(page, ids["fox"]).get_by_test_id("watch-button").click()
    expect(page).to_have_url(f"{peer_app.base_url}/jobs?status=running&job={ids['fox']}")
    page.reload()  # the dialog comes back over the same filter
    expect(page.get_by_test_id("progress-dialog")).to_be_visible()
    expect_picked(page, "Running")
    page.get_by_test_id("background-button").click()
    expect(page).to_have_url(f"{peer_app.base_url}/jobs?status=running")
    expect_picked(page, "Running")
