"""The waiting line keeps arrival order."""

from services.backend.queue import WaitingLine


async def test_jobs_leave_the_line_in_the_order_they_came() -> None:
    line = WaitingLine()
    for job_id in ("a", "b", "c"):
        line.put(job_id)
    assert line.ahead_of("c") == ["a", "b"]
    assert await line.take() == "a"
    assert line.ahead_of("c") == ["b"]
    assert line.ahead_of("a") == []
