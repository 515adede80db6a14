"""Soak: many tabs watch many jobs for minutes while the backend drops streams at random.

The contract peer (``testkit/peer``) is the dashboard's remote backend; each of its jobs plays a
long random script of updates with ``Drop()``s in it, and Chromium keeps ``--tabs`` tabs open
on the jobs (half on the progress dialog, half on the workspace), reloading one at random
every second, so tab clients come and go all the time. The dashboard is measured from
outside: its RSS, threads, open fds and TCP connections (psutil), and the upstream progress
streams the peer has open (each one is a stream task in the dashboard). Only its asyncio
tasks need a look inside: the soak starts it with a ``sitecustomize`` of its own on
``PYTHONPATH`` that writes ``len(asyncio.all_tasks())`` to a file on ``SIGUSR1`` (the
dashboard's code is unchanged; spawned render workers skip it).

Figures are taken once the tabs are open ("cold"), after a warm-up of the same churn
("start"), at the end, and once more after every tab has closed (everything a tab held must
be gone by then). The growth that counts is start to end: the warm-up lets the allocators
reach the high-water mark that page loads leave, so what grows after it is what a leak would
add. (Probing the dashboard from inside for 10 minutes, Python's allocated blocks, glibc's
in-use bytes and glibc's heap size stayed flat after the warm-up, and RSS levelled off at
+1 %; ``malloc_trim(0)`` then gave back 15 MB: the warm-up's rise is free memory glibc keeps.
``--env MALLOC_ARENA_MAX=2``, or fixed mmap and trim thresholds, changed nothing in
3-minute runs.)
Prints the figures; asserts nothing. ``--env NAME=VALUE`` sets the dashboard's environment,
to compare allocator settings (``MALLOC_ARENA_MAX=2``, say).

    .venv/bin/python -m bench.soak --minutes 10
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import tempfile
import time
from dataclasses import dataclass, fields
from pathlib import Path
from urllib.parse import urlsplit

import psutil
from playwright.sync_api import Page, sync_playwright

from testkit.app_process import AppProcess
from testkit.browser import launch
from testkit.peer import Drop, Pause, Peer, PeerServer, SendUpdate, Step

CHURN_EVERY = 1.0  # seconds between two random tab reloads
SETTLE = 12.0  # seconds for released clients and streams to go (NiceGUI 3 s + the hub's grace)
DROP_EVERY = 30.0  # a job's stream drops about this often (seconds)

PROBE = """\
import os, signal, sys

def _count_tasks(signum, frame):
    import asyncio
    try:
        tasks = len(asyncio.all_tasks(asyncio.get_running_loop()))
    except RuntimeError:  # no loop running yet, or any more
        tasks = -1
    path = os.environ["AURORA_SOAK_TASKS"]
    with open(path + ".new", "w") as file:
        file.write(str(tasks))
    os.replace(path + ".new", path)

if sys.argv[0].endswith("main.py"):
    signal.signal(signal.SIGUSR1, _count_tasks)
"""


class TaskProbe:
    """The dashboard's asyncio task count, through ``PROBE`` installed in ``folder``."""

    def __init__(self, folder: Path) -> None:
        (folder / "sitecustomize.py").write_text(PROBE)
        self.path = folder / "tasks"
        self.env = {"PYTHONPATH": os.pathsep.join(filter(None, [str(folder),
                                                                 os.environ.get("PYTHONPATH")])),
                    "AURORA_SOAK_TASKS": str(self.path)}

    def count(self, process: psutil.Process, timeout: float = 5.0) -> int:
        """Ask ``process`` and wait for its answer (-1 if none comes)."""
        self.path.unlink(missing_ok=True)
        process.send_signal(signal.SIGUSR1)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.path.exists():
                return int(self.path.read_text())
            time.sleep(0.05)
        return -1


@dataclass(frozen=True)
class Figures:
    """One look at the dashboard from outside."""

    rss_mb: float
    threads: int
    open_fds: int
    browser_sockets: int  # established TCP connections to the dashboard's port
    upstream_sockets: int  # established TCP connections from the dashboard to the peer
    peer_streams: int  # progress streams the peer has open
    tasks: int  # asyncio tasks in the dashboard

    @classmethod
    def take(cls, process: psutil.Process, app_port: int, peer: Peer,
             probe: TaskProbe) -> Figures:
        """Measure ``process`` (the dashboard) and the peer now."""
        peer_port = urlsplit(peer.url).port
        established = [c for c in process.net_connections(kind="tcp")
                       if c.status == psutil.CONN_ESTABLISHED]
        return cls(
            rss_mb=process.memory_info().rss / 2**20,
            threads=process.num_threads(),
            open_fds=process.num_fds(),
            browser_sockets=sum(c.laddr.port == app_port for c in established),
            upstream_sockets=sum(bool(c.raddr) and c.raddr.port == peer_port
                                 for c in established),
            peer_streams=sum(job.open_streams for job in list(peer.jobs.values())),
            tasks=probe.count(process),
        )


def job_script(rng: random.Random, seconds: float) -> tuple[list[Step], int]:
    """Updates every few seconds for ``seconds``, with random drops; the steps and the drops."""
    steps: list[Step] = []
    drops, elapsed, progress = 0, 0.0, 0.0
    while elapsed < seconds:
        gap = rng.uniform(1.0, 4.0)
        progress = min(95.0, progress + rng.uniform(0.0, 1.5))
        scene = 1 + int(progress // 10)
        steps += [SendUpdate(status="processing", progress=round(progress, 2),
                             current_stage=f"scene_{scene}_generating",
                             current_stage_display=f"Generating scene {scene}",
                             estimated_time_remaining=round(seconds - elapsed)),
                  Pause(gap)]
        elapsed += gap
        if rng.random() < gap / DROP_EVERY:
            steps.append(Drop())
            drops += 1
    return [*steps, Pause()], drops


def open_tab(page: Page, base_url: str, job_id: str, index: int) -> None:
    """Half the tabs watch in the dialog, half on the workspace; wait for the first update."""
    path = f"/?job={job_id}" if index % 2 == 0 else f"/workspace/{job_id}"
    page.goto(base_url + path)
    page.get_by_test_id("progress-percent").wait_for(state="visible", timeout=30_000)


def report(looks: dict[str, Figures]) -> None:
    """The looks side by side, and what they say."""
    print("\n" + f"{'figure':<18}" + "".join(f"{name:>12}" for name in looks))
    for field in fields(Figures):
        values = [getattr(figures, field.name) for figures in looks.values()]
        print(f"{field.name:<18}" + "".join(
            f"{value:>12.1f}" if isinstance(value, float) else f"{value:>12}" for value in values))
    cold, start, end, closed = looks.values()
    growth = (end.rss_mb - start.rss_mb) / start.rss_mb * 100
    print(f"\nmemory growth start -> end: {growth:+.1f} % (budget: at most +5 %); "
          f"cold -> end: {(end.rss_mb - cold.rss_mb) / cold.rss_mb * 100:+.1f} %")
    print(f"threads: {start.threads} -> {end.threads}; fds: {start.open_fds} -> {end.open_fds}; "
          f"asyncio tasks: {start.tasks} -> {end.tasks}, after every tab closed: {closed.tasks}")
    print(f"upstream streams with every tab open: {start.peer_streams} -> {end.peer_streams}; "
          f"after every tab closed: {closed.peer_streams} (expected 0), "
          f"browser sockets {closed.browser_sockets}, upstream sockets "
          f"{closed.upstream_sockets}")


def churn(pages: list[Page], base_url: str, job_of: list[str], rng: random.Random,
          seconds: float,
          report_to: tuple[psutil.Process, int, Peer, TaskProbe] | None = None) -> int:
    """Reload a random tab every ``CHURN_EVERY`` s for ``seconds``; how many reloads.

    With ``report_to`` (what ``Figures.take`` needs), prints the figures every minute.
    """
    began = time.monotonic()
    next_report, reloads = began + 60, 0
    while (now := time.monotonic()) < began + seconds:
        time.sleep(CHURN_EVERY)
        index = rng.randrange(len(pages))
        open_tab(pages[index], base_url, job_of[index], index)
        reloads += 1
        if report_to is not None and now >= next_report:
            print(f"minute {round((now - began) / 60)}: {Figures.take(*report_to)}")
            next_report += 60
    time.sleep(SETTLE)  # the last reload's old client and any grace are over
    return reloads


def soak(minutes: float, tabs: int, jobs: int, seed: int, warm_up: float,
         env: dict[str, str]) -> None:
    """Run the soak and print its figures."""
    rng = random.Random(seed)
    seconds = minutes * 60
    script_seconds = warm_up + seconds + 120
    with PeerServer() as server, tempfile.TemporaryDirectory() as scratch, \
            sync_playwright() as playwright:
        peer = server.peer
        peer.retry_ms = 1000
        peer.keepalive = 10.0
        planned_drops = 0
        for index in range(jobs):
            steps, drops = job_script(rng, script_seconds)
            planned_drops += drops
            peer.add_job(f"soak-{index}", steps, status="processing",
                         prompt=f"Soak job {index}: a lighthouse in a storm")
        probe = TaskProbe(Path(scratch))
        app = AppProcess(Path(scratch) / "data", api_url=server.url,
                         env={**env, **probe.env}).start()
        assert app.process is not None
        process = psutil.Process(app.process.pid)
        look = (process, app.port, peer, probe)
        browser = launch(playwright)
        try:
            context = browser.new_context(viewport={"width": 1000, "height": 700})
            pages = [context.new_page() for _ in range(tabs)]
            job_of = [f"soak-{index % jobs}" for index in range(tabs)]
            for index, page in enumerate(pages):
                open_tab(page, app.base_url, job_of[index], index)
            cold = Figures.take(*look)
            print(f"{tabs} tabs open on {jobs} jobs: {cold}\nwarming up {warm_up:.0f} s")
            churn(pages, app.base_url, job_of, rng, warm_up)
            start = Figures.take(*look)
            print(f"start: {start}")
            reloads = churn(pages, app.base_url, job_of, rng, seconds,
                            report_to=look)
            end = Figures.take(*look)
            print(f"end: {end}")

            context.close()
            time.sleep(SETTLE)
            closed = Figures.take(*look)
        finally:
            browser.close()
            app.stop()
    opened = sum(job.streams_opened for job in peer.jobs.values())
    dropped = planned_drops - sum(isinstance(step, Drop) for job in peer.jobs.values()
                                  for step in job.steps)
    print(f"\n{minutes:g} min, {tabs} tabs, {jobs} jobs: {reloads} tab reloads after the "
          f"warm-up; {dropped} stream drops played, {opened} upstream connections opened in all")
    report({"cold": cold, "start": start, "end": end, "all closed": closed})


def main() -> None:
    """Parse the flags and soak."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="how long (default 10)")
    parser.add_argument("--tabs", type=int, default=20, help="browser tabs (default 20)")
    parser.add_argument("--jobs", type=int, default=10, help="jobs watched (default 10)")
    parser.add_argument("--seed", type=int, default=5, help="random seed (default 5)")
    parser.add_argument("--warm-up", type=float, default=180.0,
                        help="seconds of churn before the start figures (default 180)")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="set in the dashboard's environment (may be repeated)")
    options = parser.parse_args()
    env = dict(item.split("=", 1) for item in options.env)
    if env:
        print(f"dashboard environment: {env}")
    soak(options.minutes, options.tabs, options.jobs, options.seed, options.warm_up, env)


if __name__ == "__main__":
    main()
