"""The waiting line: each owner's jobs in the order they came, owners served in fair turns,
and ``ahead_of`` saying exactly which jobs start before a job."""

import random

import pytest

from services.backend.waiting_line import Owner, WaitingLine


def _put(line: WaitingLine, owner: Owner, *job_ids: str) -> None:
    for job_id in job_ids:
        line.put(job_id, owner)


async def _take(line: WaitingLine, count: int) -> list[str]:
    """Start ``count`` jobs one after another, as a single slot does."""
    return [await line.take() for _ in range(count)]


async def test_without_owners_jobs_start_in_the_order_they_came() -> None:
    line = WaitingLine()
    _put(line, None, "a", "b", "c")
    assert line.ahead_of("c") == ["a", "b"]
    assert await line.take() == "a"
    assert line.ahead_of("c") == ["b"]
    assert line.ahead_of("a") == []
    assert await _take(line, 2) == ["b", "c"]


async def test_one_job_of_another_owner_starts_after_the_first_of_six() -> None:
    line = WaitingLine()
    _put(line, "ana", *(f"a{n}" for n in range(1, 7)))
    _put(line, "ben", "b1")
    assert line.ahead_of("b1") == ["a1"]
    assert await _take(line, 3) == ["a1", "b1", "a2"]
    assert line.ahead_of("a6") == ["a3", "a4", "a5"]


async def test_three_owners_take_turns_until_each_runs_out() -> None:
    line = WaitingLine()
    _put(line, "ana", "a1", "a2", "a3")
    _put(line, "ben", "b1", "b2")
    _put(line, "cy", "c1")
    assert await _take(line, 6) == ["a1", "b1", "c1", "a2", "b2", "a3"]


async def test_an_owner_never_served_goes_before_one_served_already() -> None:
    line = WaitingLine()
    _put(line, "ana", "a1")
    assert await line.take() == "a1"
    _put(line, "ana", "a2")
    _put(line, None, "n1")  # nobody signed in: one owner like any other
    _put(line, "ben", "b1")
    assert line.ahead_of("a2") == ["n1", "b1"]
    assert await _take(line, 3) == ["n1", "b1", "a2"]


async def test_discarding_a_job_moves_its_owners_next_job_up_into_its_turn() -> None:
    line = WaitingLine()
    _put(line, "ana", "a1", "a2", "a3")
    _put(line, "ben", "b1", "b2")
    _put(line, "cy", "c1")
    line.discard("b1")
    line.discard("gone")  # not waiting: nothing changes
    assert line.ahead_of("a3") == ["a1", "b2", "c1", "a2"]
    assert await _take(line, 5) == ["a1", "b2", "c1", "a2", "a3"]


async def test_after_a_discard_the_owner_whose_oldest_job_waited_longest_goes_first() -> None:
    line = WaitingLine()
    line.put("a1", "ana")
    line.put("b2", "ben")
    line.put("a3", "ana")
    line.discard("a1")
    assert line.ahead_of("a3") == ["b2"]
    assert await _take(line, 2) == ["b2", "a3"]


class _Rule:
    """The fair-share rule spelled out the slow way, to check the line against."""

    def __init__(self) -> None:
        self.waiting: dict[str, tuple[int, Owner]] = {}  # job id -> (arrival, owner)
        self.served: dict[Owner, int] = {}  # owner -> when its last job started
        self.clock = 0

    def put(self, job_id: str, owner: Owner) -> None:
        self.clock += 1
        self.waiting[job_id] = (self.clock, owner)

    def take(self) -> str:
        """The oldest job of the owner served least recently (never first, then the owner
        whose oldest job has waited longest)."""
        job_id = min(self.waiting, key=lambda job: (self.served.get(self.waiting[job][1], -1),
                                                    self.waiting[job][0]))
        self.clock += 1
        self.served[self.waiting.pop(job_id)[1]] = self.clock
        return job_id


@pytest.mark.parametrize("seed", range(20))
async def test_jobs_start_by_the_rule_and_ahead_of_names_exactly_those_before(seed: int) -> None:
    """After a random mix of arrivals, starts and discards, each start follows the rule, and
    every waiting job's ``ahead_of`` is what actually starts before it, ``behind`` what
    starts after it."""
    rng = random.Random(seed)
    line, rule = WaitingLine(), _Rule()
    for n in range(rng.randint(20, 200)):
        action = rng.random()
        if action < 0.6 or not rule.waiting:
            owner = rng.choice(["ana", "ben", "cy", "dee", None])
            line.put(f"j{n}", owner)
            rule.put(f"j{n}", owner)
        elif action < 0.85:
            assert await line.take() == rule.take()
        else:
            line.discard(job_id := rng.choice(sorted(rule.waiting)))
            del rule.waiting[job_id]
    predicted = {job_id: line.ahead_of(job_id) for job_id in rule.waiting}
    after = {job_id: line.behind(job_id) for job_id in rule.waiting}
    order = [rule.take() for _ in range(len(predicted))]
    assert await _take(line, len(order)) == order
    assert all(predicted[job_id] == order[:n] for n, job_id in enumerate(order))
    assert all(after[job_id] == order[n + 1:] for n, job_id in enumerate(order))
