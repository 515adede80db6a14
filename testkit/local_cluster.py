"""``make cluster``: a whole cluster on this machine, for trying it.

Redis, PostgreSQL, SeaweedFS, two Celery render workers, two API replicas and a dashboard on
the first replica, each with its own log, with throwaway data under ``./data/cluster`` (wiped
at the next start). Ctrl-C stops them all. On real machines each part runs on its own (the
README's "Beyond one machine"); this only puts them side by side.
"""

from __future__ import annotations

import shutil
import signal
import sys
from contextlib import ExitStack, suppress

from testkit.app_process import ROOT, AppProcess
from testkit.cluster import running_cluster
from testkit.postgres_server import PostgresServer
from testkit.redis_server import RedisServer
from testkit.s3_server import S3Server

DATA = ROOT / "data" / "cluster"
DASHBOARD_PORT = 8080


def main() -> None:
    """Start every part, say where each answers and logs, and wait for Ctrl-C."""
    shutil.rmtree(DATA, ignore_errors=True)
    print(f"starting a cluster under {DATA} …", flush=True)
    with ExitStack() as stack:
        postgres = stack.enter_context(PostgresServer(DATA / "postgres"))
        own_redis = stack.enter_context(RedisServer(DATA / "redis"))
        s3 = S3Server(DATA / "s3").start()
        stack.callback(s3.stop)
        database_url = postgres.new_database()
        cluster = stack.enter_context(running_cluster(
            DATA, database_url=database_url, redis_url=own_redis.url, s3=s3,
            render_size="full"))
        dashboard = AppProcess(DATA / "dashboard" / "data", port=DASHBOARD_PORT,
                               api_url=cluster.replicas[0].base_url).start()
        stack.callback(dashboard.stop)
        print(f"dashboard  http://127.0.0.1:{DASHBOARD_PORT}  (on replica a)")
        for name, replica in zip("ab", cluster.replicas, strict=True):
            print(f"replica {name}  {replica.base_url}/api/v1/jobs")
        print(f"workers    {', '.join(cluster.workers)}; Redis {own_redis.url}, "
              f"PostgreSQL {database_url}, S3 {s3.url}")
        print(f"logs       {DATA}/**/*.log\nCtrl-C stops them all.", flush=True)
        _wait_for_a_stop()
        print("stopping …", file=sys.stderr)


def _wait_for_a_stop() -> None:
    """Return at Ctrl-C or SIGTERM (even when started in the background, which ignores
    Ctrl-C unless a handler is set)."""
    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    with suppress(KeyboardInterrupt):
        signal.pause()


if __name__ == "__main__":
    main()
