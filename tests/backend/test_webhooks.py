"""Webhooks: the backend (``python main.py api``) POSTs each job's end, signed, to a real
receiver on loopback, tries again when it fails, calls only the hosts it allows, and never
lets a receiver hold up a render."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from testkit.app_process import QUICK_RENDERS, AppProcess, quick_api
from testkit.cluster import running_cluster
from testkit.postgres_server import PostgresServer
from testkit.redis_server import RedisServer
from testkit.s3_server import S3Server
from testkit.sse import generate, read_events, status_of
from testkit.waiting import wait_until
from testkit.webhook_receiver import Received, WebhookReceiver

ALLOWED = {**QUICK_RENDERS, "AURORA_WEBHOOK_HOSTS": "127.0.0.1, hooks.example.com"}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    """The backend alone, calling 127.0.0.1 only, signing with the key it makes itself."""
    with quick_api(tmp_path_factory.mktemp("hooks") / "data", env=ALLOWED) as app:
        yield app


def verified(received: Received, key: bytes) -> dict[str, Any]:
    """The README's recipe: the body, once its ``Aurora-Signature`` checks with ``key``."""
    fields = dict(part.split("=", 1) for part in received.headers["Aurora-Signature"].split(","))
    signed = fields["t"].encode() + b"." + received.body
    expected = hmac.new(key, signed, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, fields["v1"]), "the signature does not check"
    body: dict[str, Any] = json.loads(received.body)
    return body


def key_of(api: AppProcess) -> bytes:
    return (api.data_dir / "webhook.key").read_text().strip().encode()


def log_of(api: AppProcess, job_id: str) -> list[str]:
    lines = httpx.get(f"{api.base_url}/api/v1/jobs/{job_id}/log", timeout=10).json()["lines"]
    return [line["message"] for line in lines]


def delivered(api: AppProcess, job_id: str) -> bool:
    return any(line.startswith("Webhook delivered") for line in log_of(api, job_id))


def test_a_completed_job_is_posted_once_signed_with_the_key_startup_names(
        api: AppProcess) -> None:
    key_file = api.data_dir / "webhook.key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert f"webhooks are signed with the key in {key_file.resolve()}" in api.log()
    with WebhookReceiver().running() as receiver:
        job_id = generate(api.base_url, webhook_url=receiver.url)
        assert read_events(api.base_url, job_id)[-1].data == {"status": "completed"}
        wait_until(lambda: delivered(api, job_id), timeout=30, what="the delivery logged")
        [post] = receiver.received  # logged after its 200: one POST, no second try

    body = verified(post, key_of(api))
    assert body["event"] == "job.completed"
    assert (body["job"]["job_id"], body["job"]["status"]) == (job_id, "completed")
    assert post.headers["Content-Type"] == "application/json"
    log = log_of(api, job_id)
    assert "Webhook delivered to 127.0.0.1 (try 1 of 5)" in log
    assert not any(key_of(api).decode() in line or "t0p" in line for line in log)


def test_a_cancelled_job_is_posted_as_failed(api: AppProcess) -> None:
    with WebhookReceiver().running() as receiver:
        job_id = generate(api.base_url, webhook_url=receiver.url, duration=60)
        assert httpx.post(f"{api.base_url}/api/v1/jobs/{job_id}/cancel",
                          timeout=10).status_code == 202
        [post] = receiver.wait_for(1)
        wait_until(lambda: delivered(api, job_id), timeout=30, what="the delivery logged")
        assert len(receiver.received) == 1

    body = verified(post, key_of(api))
    assert body["event"] == "job.failed"
    assert (body["job"]["job_id"], body["job"]["error"]) == (job_id, "Cancelled by user")


def test_a_receiver_that_fails_twice_gets_the_third_try(api: AppProcess) -> None:
    with WebhookReceiver(failures=2).running() as receiver:
        job_id = generate(api.base_url, webhook_url=receiver.url)
        posts = receiver.wait_for(3)
        wait_until(lambda: delivered(api, job_id), timeout=30, what="the delivery logged")
        assert len(receiver.received) == 3

    bodies = [verified(post, key_of(api)) for post in posts]
    assert {body["job"]["job_id"] for body in bodies} == {job_id}
    log = log_of(api, job_id)
    assert [line for line in log if line.startswith("Webhook")] == [
        "Webhook to 127.0.0.1 failed (HTTP 500, try 1 of 5); trying again in 2 s",
        "Webhook to 127.0.0.1 failed (HTTP 500, try 2 of 5); trying again in 4 s",
        "Webhook delivered to 127.0.0.1 (try 3 of 5)",
    ]


@pytest.mark.parametrize("url", ["http://localhost:8080/hook", "http://10.0.0.1/hook",
                                 "https://hooks.example.com.evil.test/hook"])
def test_a_host_not_in_the_list_is_refused_at_generate(api: AppProcess, url: str) -> None:
    refusal = refused(api, url)
    assert refusal["loc"] == ["body", "webhook_url"]
    assert "AURORA_WEBHOOK_HOSTS" in refusal["msg"]


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/hook", "127.0.0.1/hook", "http:///hook"])
def test_a_webhook_url_that_is_not_http_is_refused(api: AppProcess, url: str) -> None:
    assert refused(api, url)["loc"] == ["body", "webhook_url"]


def refused(api: AppProcess, url: str) -> dict[str, Any]:
    """The 422's one complaint about a generate request with ``url`` as its webhook."""
    before = httpx.get(f"{api.base_url}/api/v1/jobs", timeout=10).json()["total"]
    answer = httpx.post(f"{api.base_url}/api/v1/generate", timeout=10, json={
        "prompt": "A fox at dawn", "duration": 15, "webhook_url": url})
    assert answer.status_code == 422, answer.text
    assert httpx.get(f"{api.base_url}/api/v1/jobs", timeout=10).json()["total"] == before
    [complaint] = answer.json()["detail"]
    return dict(complaint)


def test_without_a_host_list_webhooks_are_off(tmp_path: Path) -> None:
    app = AppProcess(tmp_path / "data", command="api", env=QUICK_RENDERS).start()
    try:
        refusal = refused(app, "http://127.0.0.1:9/hook")
        assert "webhooks are off" in refusal["msg"]
        assert httpx.post(f"{app.base_url}/api/v1/generate", timeout=10, json={
            "prompt": "A fox at dawn", "duration": 15}).status_code == 202
    finally:
        app.stop()
    assert not (tmp_path / "data" / "webhook.key").exists()


def test_a_slow_receiver_does_not_delay_the_next_jobs_render(api: AppProcess) -> None:
    with WebhookReceiver(hold=True).running() as receiver:
        first = generate(api.base_url, webhook_url=receiver.url)
        second = generate(api.base_url)  # waits for the one slot behind the first
        assert read_events(api.base_url, second)[-1].data == {"status": "completed"}

        # The second job rendered from start to end while the first's POST went unanswered:
        # its delivery had no outcome yet (one on the render path ends before the next job).
        first_log = log_of(api, first)
        assert all(line.startswith("Webhook to 127.0.0.1 failed (no answer within 10 s")
                   for line in first_log[first_log.index("Complete") + 1:])
        assert receiver.answered == 0
        receiver.release()
        wait_until(lambda: delivered(api, first), timeout=60, what="the delivery logged")
    assert not any(line.startswith("Webhook") for line in log_of(api, second))  # it had none


def test_ends_across_a_restart_are_posted_the_interrupted_one_and_the_one_that_waited(
        tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with WebhookReceiver().running() as receiver:
        before = AppProcess(data_dir, command="api", env=ALLOWED).start()
        try:
            rendering = generate(before.base_url, webhook_url=receiver.url, duration=60)
            waiting = generate(before.base_url, webhook_url=receiver.url)
            wait_until(lambda: status_of(before.base_url, rendering) == "processing", timeout=30,
                       what="the first job rendering")
        finally:
            before.stop()
        assert receiver.received == []
        after = AppProcess(data_dir, command="api", env=ALLOWED).start()
        try:
            assert read_events(after.base_url, waiting)[-1].data == {"status": "completed"}
            wait_until(lambda: delivered(after, rendering) and delivered(after, waiting),
                       timeout=30, what="both deliveries logged")
            posts = [verified(post, key_of(after)) for post in receiver.received]
        finally:
            after.stop()

    assert sorted((post["job"]["job_id"], post["event"], post["job"].get("error"))
                  for post in posts) == sorted([
        (rendering, "job.failed", "Interrupted by restart"), (waiting, "job.completed", None)])


def test_on_a_cluster_the_worker_that_ends_a_job_posts_it_and_tries_again_between_tasks(
        postgres_server: PostgresServer, s3_server: S3Server, own_redis: RedisServer,
        tmp_path: Path) -> None:
    key = "the cluster's shared key"
    database_url = postgres_server.new_database()
    with WebhookReceiver(failures=1).running() as receiver, running_cluster(
            tmp_path, database_url=database_url, redis_url=own_redis.url, s3=s3_server,
            render_size="draft", workers=1,
            env={"AURORA_WEBHOOK_HOSTS": "127.0.0.1", "AURORA_WEBHOOK_SECRET": key}) as cluster:
        replica = cluster.replicas[0]
        job_id = generate(replica.base_url, webhook_url=receiver.url)
        assert read_events(replica.base_url, job_id)[-1].data == {"status": "completed"}
        # the worker that composed the video is idle now: its second try comes all the same
        wait_until(lambda: delivered(replica, job_id), timeout=30, what="the delivery logged")
        posts = receiver.wait_for(2)
        log = log_of(replica, job_id)
    postgres_server.drop_database(database_url)

    assert len(posts) == 2
    assert {verified(post, key.encode())["event"] for post in posts} == {"job.completed"}
    assert "Webhook delivered to 127.0.0.1 (try 2 of 5)" in log
