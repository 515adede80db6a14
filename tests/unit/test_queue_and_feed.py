"""The waiting line keeps arrival order; the in-memory feed hands out states after an event id."""

import asyncio

from services.backend.feed import MemoryFeed
from services.backend.queue import WaitingLine
from services.contract import ProgressResponse


def _state(status: str = "processing") -> ProgressResponse:
    return ProgressResponse(job_id="a", status=status)


async def test_jobs_leave_the_line_in_the_order_they_came() -> None:
    line = WaitingLine()
    for job_id in ("a", "b", "c"):
        line.put(job_id)
    assert line.ahead_of("c") == ["a", "b"]
    assert await line.take() == "a"
    assert line.ahead_of("c") == ["b"]
    assert line.ahead_of("a") == []


async def test_a_follower_gets_every_state_after_its_last_event() -> None:
    feed = MemoryFeed()
    await feed.publish("a", 1, _state())
    await feed.publish("a", 2, _state())
    assert [event_id for event_id, _ in await feed.after("a", 0, wait=0)] == [1, 2]
    assert await feed.after("a", 2, wait=0.01) == []


async def test_a_waiting_follower_wakes_on_the_next_state() -> None:
    feed = MemoryFeed()
    waiting = asyncio.create_task(feed.after("a", 0, wait=5))
    await asyncio.sleep(0)
    await feed.publish("a", 1, _state("completed"))
    assert [event_id for event_id, _ in await asyncio.wait_for(waiting, 1)] == [1]
