"""The Celery app both sides of a cluster share: the API replicas send pieces, workers run them.

Configured for renders that must run once and lose nothing:

- **acks late, prefetch 1**: a task leaves the broker only when its piece is done, and a busy
  worker holds no second task another could take;
- **no revoke, no terminate**: a task that ignores its cancel ends its own process from inside
  (``runner.py``), while it is the one task that process runs, so a stop can never hit a later
  task that took the same pid (celery/celery#2142);
- **a rejected task on a lost worker goes back to the queue** at once;
- **two queues, in order**: ``aurora.resume`` (compositions and taken-over pieces of jobs under
  way) before ``aurora.render`` (the pieces of the jobs released in fair turns, one job at a
  time as it empties: ``release.py``), so a job that has started is finished before the next
  one starts.

A task whose worker vanished mid-render is not left to the broker: leases notice the lost
worker (``coordination.py``) and its piece is queued again with a new attempt number, which
makes the broker's own redelivery of the old one a no-op. That redelivery, after a short
visibility timeout, is kept for the one case a lease cannot see: a task a worker had received
but not yet started when it died. A render longer than the timeout is redelivered while it
runs (what makes tasks run twice, celery/celery#5935); the copy finds the piece leased and
does nothing.
"""

from __future__ import annotations

from celery import Celery

RESUME_QUEUE = "aurora.resume"
RENDER_QUEUE = "aurora.render"
RENDER_PIECE = "aurora.render_piece"
REDELIVERY_SECONDS = 30  # the broker redelivers a task unacked this long (fenced if stale)
RESTORE_SECONDS = 5  # how often each worker looks for such tasks
# Kombu's Redis keys for the tasks workers hold, named here so the dispatcher can read them
UNACKED_KEY = "aurora.unacked"
BROKER_QUEUES = (RESUME_QUEUE, RENDER_QUEUE)  # each a Redis list (no task has a priority)


def create_celery(redis_url: str) -> Celery:
    """The cluster's Celery app on the Redis at ``redis_url``."""
    app = Celery("aurora", broker=redis_url, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        task_default_queue=RENDER_QUEUE,
        broker_connection_retry_on_startup=True,
        broker_transport_options={"queue_order_strategy": "priority",
                                  "visibility_timeout": REDELIVERY_SECONDS,
                                  "unacked_restore_interval": RESTORE_SECONDS,
                                  "unacked_restore_throttle": 1,
                                  "unacked_key": UNACKED_KEY,
                                  "unacked_index_key": f"{UNACKED_KEY}_index",
                                  "unacked_mutex_key": f"{UNACKED_KEY}_mutex",
                                  # a worker killed while restoring blocks no one for long
                                  "unacked_mutex_expire": REDELIVERY_SECONDS},
        worker_hijack_root_logger=False,
    )
    return app


def send_piece(app: Celery, job_id: str, piece: str, attempt: int, *, resume: bool) -> None:
    """Queue one piece of a job's render for the workers (blocking: call it off the loop)."""
    app.send_task(RENDER_PIECE, args=[job_id, piece, attempt],
                  queue=RESUME_QUEUE if resume else RENDER_QUEUE)
