"""A right first ETA: a backend on a fresh data dir measures its render rates as its workers
start, before any job (``main.py api``; the rates read from its store, on the server's side)."""

from __future__ import annotations

from pathlib import Path

import httpx

from services.backend.render import video_format
from services.contract import API_PREFIX
from testkit.app_process import quick_api
from testkit.stored_jobs import stored_rates
from testkit.waiting import wait_until


def test_a_fresh_data_dir_has_its_rates_measured_before_the_first_job(tmp_path: Path) -> None:
    draft = video_format("16:9", "draft")
    scene_rate = f"fps:{draft.width}x{draft.height}"
    with quick_api(tmp_path / "data") as backend:
        wait_until(lambda: {scene_rate, "spv:audio"} <= set(stored_rates(backend.data_dir)),
                   timeout=60, what="the scene and music rates measured")

        rates = stored_rates(backend.data_dir)
        assert rates[scene_rate] > 0
        assert rates["spv:audio"] > 0
        listed = httpx.get(f"{backend.base_url}{API_PREFIX}/jobs", timeout=10).json()
        assert listed["total"] == 0  # measured without a job
        wait_until(lambda: not (backend.data_dir / "calibration").exists(),
                   what="the sample's files gone")
