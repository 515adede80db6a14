"""Bad input gets a 422 naming the field; ids and asset URLs can't be abused."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from services.backend.signing import AssetSigner, load_or_create_secret
from testkit.app_process import AppProcess
from testkit.sse import generate, read_events

VALID = {"prompt": "A lighthouse in a storm", "duration": 15}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"duration": 15}, "prompt"),
        ({**VALID, "prompt": "   "}, "prompt"),
        ({**VALID, "prompt": "x" * 2001}, "prompt"),
        ({**VALID, "prompt": 42}, "prompt"),
        ({"prompt": "A lighthouse"}, "duration"),
        ({**VALID, "duration": 20}, "duration"),
        ({**VALID, "duration": "long"}, "duration"),
        ({**VALID, "aspect_ratio": "4:3"}, "aspect_ratio"),
        ({**VALID, "style": "s" * 65}, "style"),
        ({**VALID, "prompt": "A fox\x00 at dawn"}, "prompt"),
        ({**VALID, "style": "noir\x07"}, "style"),
    ],
)
def test_invalid_generate_requests_get_422_naming_the_field(
    app_server: AppProcess, body: dict[str, Any], field: str
) -> None:
    answer = httpx.post(f"{app_server.base_url}/api/v1/generate", json=body, timeout=10)
    assert answer.status_code == 422
    assert any(field in error["loc"] for error in answer.json()["detail"])


def test_a_body_that_is_not_json_gets_422(app_server: AppProcess) -> None:
    answer = httpx.post(f"{app_server.base_url}/api/v1/generate", content=b"{not json",
                        headers={"Content-Type": "application/json"}, timeout=10)
    assert answer.status_code == 422


def test_a_2000_character_prompt_is_accepted(app_server: AppProcess) -> None:
    job_id = generate(app_server.base_url, prompt="y" * 2000)
    assert httpx.post(f"{app_server.base_url}/api/v1/jobs/{job_id}/cancel",
                      timeout=10).status_code == 202


@pytest.mark.parametrize("path", [
    "/api/v1/jobs/does-not-exist",
    "/api/v1/jobs/does-not-exist/progress",
    "/api/v1/jobs/" + "a" * 65,
    "/api/v1/jobs/" + "a" * 65 + "/progress",
    "/api/v1/jobs/..%2F..%2Fsigning.key",
    "/api/v1/jobs/%2E%2E/progress",
])
def test_unknown_and_malformed_ids_get_a_json_404(app_server: AppProcess, path: str) -> None:
    answer = httpx.get(app_server.base_url + path, timeout=10)
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("application/json")


def test_cancel_of_an_unknown_job_is_404(app_server: AppProcess) -> None:
    answer = httpx.post(f"{app_server.base_url}/api/v1/jobs/nope/cancel", timeout=10)
    assert answer.status_code == 404


def _signed_final_video(app: AppProcess) -> str:
    job_id = generate(app.base_url, duration=15)
    read_events(app.base_url, job_id)
    detail = httpx.get(f"{app.base_url}/api/v1/jobs/{job_id}", timeout=10).json()
    url: str = detail["assets"]["final_video"]["url"]
    return url


@pytest.fixture(scope="module")
def video_url(app_server: AppProcess) -> str:
    """A signed URL of a finished video (one render for the module)."""
    return _signed_final_video(app_server)


def test_assets_answer_range_requests(app_server: AppProcess, video_url: str) -> None:
    answer = httpx.get(app_server.base_url + video_url, headers={"Range": "bytes=0-99"},
                       timeout=10)
    assert answer.status_code == 206
    assert len(answer.content) == 100


def test_forged_and_expired_signatures_get_403(app_server: AppProcess, video_url: str) -> None:
    parts = urlsplit(video_url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    forged = f"{parts.path}?expires={query['expires']}&sig={'0' * 64}"
    assert httpx.get(app_server.base_url + forged, timeout=10).status_code == 403
    later = f"{parts.path}?expires={int(query['expires']) + 60}&sig={query['sig']}"
    assert httpx.get(app_server.base_url + later, timeout=10).status_code == 403

    signer = AssetSigner(load_or_create_secret(app_server.data_dir), ttl_seconds=-10)
    job_id, name = parts.path.split("/")[-2:]
    expired = signer.url(job_id, name)
    assert httpx.get(app_server.base_url + expired, timeout=10).status_code == 403


@pytest.mark.parametrize("path", [
    "/api/v1/assets/..%2F/signing.key",
    "/api/v1/assets/%2E%2E/signing.key",
    "/api/v1/assets/x/..%2F..%2Fsigning.key",
    "/api/v1/assets/x/jobs.sqlite3",
    "/api/v1/assets/" + "a" * 65 + "/video.mp4",
])
def test_no_path_outside_the_media_dir_is_served(app_server: AppProcess, path: str) -> None:
    secret = (app_server.data_dir / "signing.key").read_bytes()
    answer = httpx.get(f"{app_server.base_url}{path}?expires=9999999999&sig=x", timeout=10)
    assert answer.status_code in (403, 404)
    assert secret not in answer.content
