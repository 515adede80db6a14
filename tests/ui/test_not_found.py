"""Unknown URLs: a "Page not found" in the Aurora frame with the ways back; the API keeps JSON."""

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from testkit.app_process import AppProcess


def test_an_unknown_url_gets_page_not_found_with_links_to_create_and_jobs(
        page: Page, peer_app: AppProcess, screenshot_dir: Path) -> None:
    response = page.goto(f"{peer_app.base_url}/nope")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_test_id("page-not-found")).to_contain_text("Page not found")
    expect(page.get_by_test_id("page-not-found")).to_contain_text("/nope")
    expect(page.get_by_test_id("jobs-link")).to_have_attribute("href", "/jobs")
    page.screenshot(path=screenshot_dir / "not-found.png", animations="disabled")
    page.get_by_test_id("create-link").click()
    expect(page.get_by_test_id("generate-button")).to_be_visible()


@pytest.mark.parametrize("backend", ["app_server", "peer_app"], ids=["embedded", "remote"])
def test_an_unknown_api_path_still_answers_a_json_404(
        request: pytest.FixtureRequest, backend: str) -> None:
    app: AppProcess = request.getfixturevalue(backend)
    response = httpx.get(f"{app.base_url}/api/v1/nope", timeout=10)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert "detail" in response.json()
