"""Render speed, ETA accuracy, API latency while rendering, and cancel latency.

Prints, in one run on this machine, against a fresh embedded backend: the ETA's error for
the very first job on its fresh data dir (submitted once the rates its workers measured as
they started are stored, and, on another fresh backend, submitted at once); the
wall time of 15/30/60 s videos end to end (generate → ``done``, medians of three) beside the
encode-only limit (``bench/encode_limit.py``: converting the same jobs' pictures from RGB and
encoding them with the same settings on as many processes as there are render workers) and
beside the encoder alone (the same without the conversion), with their ratios; the ETA's error
at 25/50/75 % of each job; the API's and a page's p50/p95/p99 while two 60 s jobs render at
once; and how long a cancel takes to stop the render.
Run with ``make bench`` or ``python -m bench.render``.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from httpx_sse import connect_sse

from bench.encode_limit import encode_only_seconds
from bench.stats import percentile
from services.backend.render import video_format
from services.contract import DURATIONS
from testkit.app_process import AppProcess
from testkit.sse import generate, read_events, wait_for_stage
from testkit.stored_jobs import wait_for_start_up_rates

RUNS = 3  # medians of three runs
PROMPT = "A fox runs through a snowy forest"  # its script is the one bench.render_profile draws
LATENCY_CALLS = 100
CONCURRENT_JOBS = {"AURORA_MAX_CONCURRENT_JOBS": "2"}


@dataclass
class RenderRun:
    """One job rendered end to end, and what its stream said along the way."""

    wall: float
    samples: list[tuple[float, float, float]]  # (seconds since start, progress, ETA sent)
    job_id: str

    def eta_error(self, fraction: float) -> float:
        """Relative error of the time remaining a viewer sees at ``fraction`` of the job's wall
        time: the last ETA sent, counted down since, against the time that really remained."""
        at = fraction * self.wall
        sent_at, _, eta = max((sample for sample in self.samples if sample[0] <= at),
                              key=lambda sample: sample[0])
        shown = max(0.0, eta - (at - sent_at))
        actual = self.wall - at
        return abs(shown - actual) / actual


    def clips(self, app: AppProcess) -> list[Path]:
        """The job's scene clips, in order (kept in ``app``'s data dir)."""
        return sorted((app.data_dir / "media" / self.job_id).glob("scene_*.mp4"))


def watch_render(base_url: str, duration: int) -> RenderRun:
    """One job of ``duration`` seconds, generated and followed to its end."""
    started = time.perf_counter()
    job_id = generate(base_url, duration=duration, prompt=PROMPT)
    samples: list[tuple[float, float, float]] = []
    with httpx.Client(base_url=base_url, timeout=600) as client, connect_sse(
        client, "GET", f"/api/v1/jobs/{job_id}/progress"
    ) as source:
        for sse in source.iter_sse():
            if not sse.data:  # a keep-alive comment
                continue
            if sse.event == "done":
                assert json.loads(sse.data) == {"status": "completed"}
                break
            state = json.loads(sse.data)
            samples.append((time.perf_counter() - started, state["progress"],
                            state["estimated_time_remaining"]))
    return RenderRun(time.perf_counter() - started, samples, job_id)


def _api_latency_while_rendering(app: AppProcess) -> dict[str, list[float]]:
    """Response times of the API and of a page while two 60 s jobs render at once."""
    job_ids = [generate(app.base_url, duration=60) for _ in range(2)]
    for job_id in job_ids:
        wait_for_stage(app.base_url, job_id, "scene_")
    samples: dict[str, list[float]] = {"GET /api/v1/jobs": [], "GET / (page)": []}
    with httpx.Client(base_url=app.base_url, timeout=10) as client:
        for _ in range(LATENCY_CALLS):
            for name, path in (("GET /api/v1/jobs", "/api/v1/jobs"), ("GET / (page)", "/")):
                started = time.perf_counter()
                client.get(path).raise_for_status()
                samples[name].append((time.perf_counter() - started) * 1000)
            time.sleep(0.05)
    for job_id in job_ids:
        read_events(app.base_url, job_id, timeout=600)
    return samples


def _eta_errors(runs: list[RenderRun]) -> str:
    """The median ETA error of ``runs`` at a quarter, half and three quarters of their time."""
    return " / ".join(f"{statistics.median(run.eta_error(point) for run in runs):4.0%}"
                      for point in (0.25, 0.5, 0.75))


def _children_busy(app: AppProcess) -> bool:
    before = app.children_cpu_seconds()
    time.sleep(0.05)
    return app.children_cpu_seconds() - before > 0.01


def _cancel_seconds(app: AppProcess) -> tuple[float, float]:
    job_id = generate(app.base_url, duration=60)
    wait_for_stage(app.base_url, job_id, "scene_2")
    started = time.perf_counter()
    httpx.post(f"{app.base_url}/api/v1/jobs/{job_id}/cancel", timeout=10).raise_for_status()
    answered = time.perf_counter() - started
    while _children_busy(app) and time.perf_counter() - started < 10:
        pass
    return answered, time.perf_counter() - started


def _first_job_at_once(data_dir: Path) -> RenderRun:
    """The first job ever of a fresh backend, submitted as soon as it answers: before its
    workers have started, so it comes before the start-up measurement and is forecast by the
    default rates until its own first scene is measured."""
    app = AppProcess(data_dir, env=CONCURRENT_JOBS).start()
    try:
        return watch_render(app.base_url, 30)
    finally:
        app.stop()


def main() -> None:
    """Run every measurement against a fresh embedded backend and print the figures."""
    print(f"machine: {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as folder:
        at_once = _first_job_at_once(Path(folder) / "at-once")
        app = AppProcess(Path(folder) / "data", env=CONCURRENT_JOBS).start()
        try:
            wait_for_start_up_rates(app.data_dir, "full")
            first = watch_render(app.base_url, 30)
            print("\nfirst job on a fresh data dir (30 s video)   ETA error at 25% / 50% / 75%")
            print(f"  once the start-up measurement is stored        {_eta_errors([first])}")
            print(f"  at once (the default rates until it measures)  {_eta_errors([at_once])}")
            print("  (the 30 s row below: a warm one)")
            fmt, workers = video_format("16:9"), os.cpu_count() or 1
            print("\nrender (1280x720, 24 fps)   wall s   encode-only s   limit/wall"
                  "   encoder s   encoder/wall   ETA error at 25% / 50% / 75%")
            for duration in DURATIONS:
                runs = [watch_render(app.base_url, duration) for _ in range(RUNS)]
                wall = statistics.median(run.wall for run in runs)
                floors = [encode_only_seconds(run.clips(app), fmt, workers) for run in runs]
                limit = statistics.median(floor.from_rgb for floor in floors)
                encoder = statistics.median(floor.encoder for floor in floors)
                print(f"  {duration:>2} s video               {wall:6.2f}   {limit:13.2f}"
                      f"   {limit / wall:10.2f}   {encoder:9.2f}   {encoder / wall:12.2f}"
                      f"   {_eta_errors(runs)}")
            print(f"\nwhile two 60 s videos render ({LATENCY_CALLS} calls each)"
                  "   p50 ms   p95 ms   p99 ms")
            for name, samples in _api_latency_while_rendering(app).items():
                print(f"  {name:<44} {statistics.median(samples):6.1f}"
                      f"   {percentile(samples, 0.95):6.1f}   {percentile(samples, 0.99):6.1f}")
            answered, idle = _cancel_seconds(app)
            print(f"\ncancel: answered in {answered * 1000:.0f} ms, "
                  f"render processes idle after {idle * 1000:.0f} ms")
        finally:
            app.stop()


if __name__ == "__main__":
    main()
