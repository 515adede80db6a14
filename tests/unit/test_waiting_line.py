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


async def test_a_line_rebuilt_from_who_was_served_when_keeps_the_same_turns() -> None:
    """As a cluster's replicas rebuild it from the store and Redis."""
    line = WaitingLine()
    _put(line, "ana", "a1", "a2", "a3")
    _put(line, "ben", "b1", "b2")
    assert await _take(line, 2) == ["a1", "b1"]
    _put(line, "cy", "c1")
    rebuilt = WaitingLine()
    rebuilt.count_served("ana")
    rebuilt.count_served("ben")
    for job_id, owner in [("a2", "ana"), ("a3", "ana"), ("b2", "ben"), ("c1", "cy")]:
        rebuilt.put(job_id, owner)
    assert rebuilt.in_order() == line.in_order() == ["c1", "a2", "b2", "a3"]
    rebuilt.count_served("cy")  # one of cy's jobs was just released elsewhere
    assert rebuilt.in_order() == ["a2", "b2", "c1", "a3"]


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


async def test_run_next_puts_a_job_first_among_its_owners_and_keeps_the_owners_turns() -> None:
    line = WaitingLine()
    _put(line, "ana", "a1", "a2", "a3")
    _put(line, "ben", "b1")
    assert line.in_order() == ["a1", "b1", "a2", "a3"]
    assert line.run_next("a3") == ["a3", "b1", "a1", "a2"]  # b1: a3 is before it now, not a1
    assert line.ahead_of("b1") == ["a3"]
    assert line.ahead_of("a2") == ["a3", "b1", "a1"]
    assert line.run_next("a3") == []  # first already
    assert line.run_next("gone") == []
    assert await _take(line, 4) == ["a3", "b1", "a1", "a2"]


async def test_run_next_does_not_move_an_owner_ahead_of_one_served_less_recently() -> None:
    line = WaitingLine()
    _put(line, "ana", "a0")
    assert await line.take() == "a0"  # ana has been served
    _put(line, "ana", "a1", "a2")
    _put(line, "ben", "b1", "b2")
    assert line.run_next("a2") == ["a2", "b2", "a1"]
    assert line.in_order() == ["b1", "a2", "b2", "a1"]
    assert len(line) == 4


async def test_a_newcomer_would_wait_behind_exactly_the_jobs_its_turn_comes_after() -> None:
    line = WaitingLine()
    _put(line, "ana", "a1", "a2", "a3")
    assert line.ahead_of_newcomer("ana") == ["a1", "a2", "a3"]
    assert line.ahead_of_newcomer("ben") == ["a1"]  # never served: it goes second
    assert line.in_order() == ["a1", "a2", "a3"]  # the stand-in left no trace
    assert await _take(line, 3) == ["a1", "a2", "a3"]
    assert line.ahead_of_newcomer(None) == []


class _Rule:
    """The fair-share rule spelled out the slow way, to check the line against."""

    def __init__(self) -> None:
        self.owner_of: dict[str, Owner] = {}  # each waiting job's owner
        self.lists: dict[Owner, list[str]] = {}  # each owner's waiting jobs, next first
        self.arrived: dict[str, int] = {}  # job id -> when it came
        self.served: dict[Owner, int] = {}  # owner -> when its last job started
        self.clock = 0

    def put(self, job_id: str, owner: Owner) -> None:
        self.clock += 1
        self.arrived[job_id] = self.clock
        self.owner_of[job_id] = owner
        self.lists.setdefault(owner, []).append(job_id)

    def discard(self, job_id: str) -> None:
        owner = self.owner_of.pop(job_id)
        self.lists[owner].remove(job_id)
        if not self.lists[owner]:
            del self.lists[owner]

    def run_next(self, job_id: str) -> None:
        jobs = self.lists[self.owner_of[job_id]]
        jobs.insert(0, jobs.pop(jobs.index(job_id)))

    def take(self) -> str:
        """The first job of the owner served least recently (never first, then the owner
        whose oldest job has waited longest)."""
        owner = min(self.lists, key=lambda owner: (
            self.served.get(owner, -1), min(self.arrived[job] for job in self.lists[owner])))
        job_id = self.lists[owner][0]
        self.discard(job_id)
        self.clock += 1
        self.served[owner] = self.clock
        return job_id


def _everyone_ahead(line: WaitingLine) -> dict[str, set[str]]:
    """Each waiting job's set of jobs that start before it."""
    return {job_id: set(line.ahead_of(job_id)) for job_id in line.in_order()}


@pytest.mark.parametrize("seed", range(20))
async def test_jobs_start_by_the_rule_and_ahead_of_names_exactly_those_before(seed: int) -> None:
    """After a random mix of arrivals, starts, discards and run-nexts, each start follows the
    rule; every waiting job's ``ahead_of`` is what actually starts before it, ``behind`` what
    starts after it, a newcomer's what starts before it once put; a run-next names every job
    that has other jobs ahead of it since."""
    rng = random.Random(seed)
    line, rule = WaitingLine(), _Rule()
    for n in range(rng.randint(20, 200)):
        action = rng.random()
        if action < 0.5 or not rule.owner_of:
            owner = rng.choice(["ana", "ben", "cy", "dee", None])
            expected = line.ahead_of_newcomer(owner)
            line.put(f"j{n}", owner)
            rule.put(f"j{n}", owner)
            assert line.ahead_of(f"j{n}") == expected
        elif action < 0.75:
            assert await line.take() == rule.take()
        elif action < 0.88:
            line.discard(job_id := rng.choice(sorted(rule.owner_of)))
            rule.discard(job_id)
        else:
            was_ahead = _everyone_ahead(line)
            moved = line.run_next(job_id := rng.choice(sorted(rule.owner_of)))
            rule.run_next(job_id)
            now_ahead = _everyone_ahead(line)
            assert {job for job in now_ahead if now_ahead[job] != was_ahead[job]} <= set(moved)
            assert moved == [] or job_id in moved
    predicted = {job_id: line.ahead_of(job_id) for job_id in rule.owner_of}
    after = {job_id: line.behind(job_id) for job_id in rule.owner_of}
    order = [rule.take() for _ in range(len(predicted))]
    assert line.in_order() == order
    assert await _take(line, len(order)) == order
    assert all(predicted[job_id] == order[:n] for n, job_id in enumerate(order))
    assert all(after[job_id] == order[n + 1:] for n, job_id in enumerate(order))
