"""A right first ETA: a backend on a fresh data dir measures its render rates as its workers
start, before any job (``main.py api``; the rates read from its store, on the server's side)."""

from __future__ import annotations

from pathlib import Path

import httpx

from services.contract import API_PREFIX
from testkit.app_process import quick_api
from testkit.stored_jobs import start_up_rates, stored_rates, wait_for_start_up_rates
from testkit.waiting import wait_until


def test_a_fresh_data_dir_has_its_rates_measured_before_the_first_job(tmp_path: Path) -> None:
    with quick_api(tmp_path / "data") as backend:
        wait_for_start_up_rates(backend.data_dir, "draft")  # the scene, music, composition

        rates = stored_rates(backend.data_dir)
        assert all(rates[rate] > 0 for rate in start_up_rates("draft")), rates
        listed = httpx.get(f"{backend.base_url}{API_PREFIX}/jobs", timeout=10).json()
        assert listed["total"] == 0  # measured without a job
        wait_until(lambda: not (backend.data_dir / "calibration").exists(),
                   what="the sample's files gone")
