"""Render workers yield the CPU to the server: pages and the API answer while videos render;
they take work only once started, so what a piece costs is measured right; tasks get them
first come, first served; and the music has a worker of its own."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import psutil
import pytest

from services.backend.pool.processes import ProcessPool
from services.backend.render import warm_up
from testkit.app_process import quick_api
from testkit.pool_tasks import cpu_seconds_so_far, pause
from testkit.render_tasks import cpu_seconds_of_a_draft_scene
from testkit.sse import generate, read_events
from testkit.waiting import wait_until


def render_workers(server: psutil.Process) -> list[psutil.Process]:
    """The server's spawned worker processes (not multiprocessing's resource tracker)."""
    return [child for child in server.children(recursive=True)
            if "spawn_main" in " ".join(child.cmdline())]


def test_render_workers_run_at_a_lower_priority_than_the_server(tmp_path: Path) -> None:
    with quick_api(tmp_path / "data") as backend:
        assert backend.process is not None
        server = psutil.Process(backend.process.pid)
        wait_until(lambda: bool(render_workers(server)), what="the render workers started")

        workers = render_workers(server)
        assert all(worker.nice() > server.nice() for worker in workers), \
            [(worker.pid, worker.nice()) for worker in workers]


async def test_a_worker_is_handed_a_task_only_once_it_has_started() -> None:
    # A piece's time in a worker teaches the ETA its rates (and the very first ones come from
    # the calibration as the workers start): a worker still importing the render code when
    # handed its task would count that start-up as rendering.
    others = {worker.pid for worker in render_workers(psutil.Process())}  # other tests' pools
    pool = ProcessPool(1)
    pool.start()
    try:
        handed_over: list[float] = []

        def taken() -> None:
            (worker,) = (worker for worker in render_workers(psutil.Process())
                         if worker.pid not in others)
            times = worker.cpu_times()
            handed_over.append(times.user + times.system)

        began = await pool.run(cpu_seconds_so_far, on_start=taken)
    finally:
        pool.close()
    assert began - handed_over[0] < 0.1  # CPU seconds: what starting up costs is ~0.5


async def test_once_the_pool_is_ready_every_worker_has_started() -> None:
    # The start-up calibration waits for it: a scene measured while the other worker still
    # imports would teach the first job's ETA a machine slower than this one.
    others = {worker.pid for worker in render_workers(psutil.Process())}  # other tests' pools
    pool = ProcessPool(2)
    pool.start()
    try:
        await asyncio.wait_for(pool.ready(), timeout=30)
        ready_at = [worker.cpu_times() for worker in render_workers(psutil.Process())
                    if worker.pid not in others]
        began = await asyncio.gather(*(pool.run(cpu_seconds_so_far) for _ in range(2)))
    finally:
        pool.close()
    assert len(ready_at) == 2
    # CPU seconds, each worker's from ready to its task: starting up costs ~0.5
    assert sum(began) - sum(times.user + times.system for times in ready_at) < 0.2


@pytest.mark.alone  # one scene's CPU against the next ones', which another test's load sways
async def test_a_warmed_up_worker_renders_its_first_scene_at_the_pace_of_the_next() -> None:
    # The first scene a worker renders teaches the ETA its rate (at start-up, the calibration's
    # scene): cold, it cost 14-19 % more CPU than the next, for loading the compiled loops and
    # setting up the encoder and the fonts.
    pool = ProcessPool(1, warm_up=warm_up)
    pool.start()
    try:
        first, *next_ones = [await pool.run(cpu_seconds_of_a_draft_scene) for _ in range(3)]
    finally:
        pool.close()
    assert first < 1.07 * sum(next_ones) / len(next_ones), (first, next_ones)


async def test_the_pool_is_idle_only_while_no_task_runs_or_waits() -> None:
    # The start-up calibration renders only on an idle pool: a job that came first measures
    # the rates itself, and a calibration in its turn would hold it up.
    pool = ProcessPool(1)
    pool.start()
    try:
        assert pool.idle
        running = asyncio.create_task(pool.run(pause, 0.3))
        waiting = asyncio.create_task(pool.run(pause, 0.0))
        await asyncio.sleep(0)  # both have asked: one has the worker, one waits for it
        assert not pool.idle
        await asyncio.wait_for(running, timeout=30)
        assert not pool.idle
        await asyncio.wait_for(waiting, timeout=30)
        assert pool.idle
    finally:
        pool.close()


async def test_a_task_cancelled_while_its_worker_starts_leaves_the_worker_to_the_next() -> None:
    pool = ProcessPool(1)
    pool.start()
    try:
        first = asyncio.create_task(pool.run(cpu_seconds_so_far))
        await asyncio.sleep(0)  # it waits for the worker, which is still starting
        first.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await first
        assert await asyncio.wait_for(pool.run(cpu_seconds_so_far), timeout=30) > 0
    finally:
        pool.close()


async def test_tasks_get_the_worker_in_the_order_they_asked_for_it() -> None:
    # A job submitted while the start-up calibration held the only worker lost its first scene
    # to the back of the line: the calibration asked again at once as its scene ended, took
    # the worker its next in line had just been woken for, and that one queued up again behind
    # every later piece. The job's stages, which follow scene 1, then all came at its end.
    pool = ProcessPool(1)
    pool.start()
    started: list[str] = []
    first_holds_it = asyncio.Event()

    def take(name: str) -> None:
        started.append(name)
        first_holds_it.set()

    async def hold(name: str, *, then: str | None = None) -> None:
        await pool.run(pause, 0.3, on_start=lambda: take(name))
        if then is not None:
            await hold(then)

    try:
        first = asyncio.create_task(hold("first", then="first's next"))
        await asyncio.wait_for(first_holds_it.wait(), timeout=30)
        waiting = [asyncio.create_task(hold(name)) for name in ("second", "third")]
        await asyncio.wait_for(asyncio.gather(first, *waiting), timeout=30)
    finally:
        pool.close()
    assert started == ["first", "second", "third", "first's next"]


def test_the_music_renders_beside_the_last_scene_not_after_it(tmp_path: Path) -> None:
    # Queued behind a job's scenes, the music ran alone at the end while the other workers
    # idled. It starts once the last scene has a worker: with one scene worker, a full-size
    # scene (over a second) lasts long enough for 15 s of music (a third of one) beside it.
    with quick_api(tmp_path / "data", env={"AURORA_RENDER_SIZE": "full"}) as backend:
        job_id = generate(backend.base_url, duration=15)
        assert read_events(backend.base_url, job_id)[-1].data == {"status": "completed"}
    files = tmp_path / "data" / "media" / job_id
    music_written = (files / "music.m4a").stat().st_mtime
    scenes_written = sorted(clip.stat().st_mtime for clip in files.glob("scene_*.mp4"))
    assert len(scenes_written) == 3
    assert scenes_written[-2] < music_written < scenes_written[-1]
