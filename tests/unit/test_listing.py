"""``Listing``: the newest jobs and the history's counts, kept from changes alone where they can
be, and saying so (``recount``) where they cannot."""

from __future__ import annotations

from services.contract import JobList, JobSummary
from services.dashboard.listing import Applied, Listing

COUNTED = {"completed": 5, "failed": 2}


def _job(job_id: str, status: str = "processing", *, at: float, updated: float = 0) -> JobSummary:
    return JobSummary(job_id=job_id, status=status, created_at=at, updated_at=updated or at)


def _listing(*jobs: JobSummary, total: int | None = None, limit: int = 3) -> Listing:
    listed = JobList(jobs=list(jobs), total=len(jobs) if total is None else total)
    return Listing(listed, dict(COUNTED), limit=limit)


def _ids(listing: Listing) -> list[str]:
    return [job.job_id for job in listing.jobs.jobs]


def test_a_listed_job_that_ends_moves_from_running_to_its_count() -> None:
    listing = _listing(_job("b", at=2), _job("a", at=1))

    applied = listing.change(_job("a", "completed", at=1, updated=5))

    assert applied == Applied("processing")
    assert (listing.jobs.total, listing.ended) == (2, {"completed": 6, "failed": 2})
    assert [job.status for job in listing.jobs.jobs] == ["processing", "completed"]


def test_a_new_job_goes_on_top_and_the_oldest_leaves_a_full_window() -> None:
    listing = _listing(_job("c", at=3), _job("b", at=2), _job("a", at=1), total=9)

    assert listing.change(_job("d", "pending", at=4)) == Applied(None)

    assert _ids(listing) == ["d", "c", "b"]
    assert (listing.jobs.total, listing.ended) == (10, COUNTED)


def test_a_change_older_than_the_row_it_would_replace_is_ignored() -> None:
    listing = _listing(_job("a", "completed", at=1, updated=9))

    assert listing.change(_job("a", "processing", at=1, updated=8)) is None
    assert listing.jobs.jobs[0].status == "completed"
    assert listing.ended == COUNTED


def test_a_job_older_than_a_full_window_asks_for_a_recount_and_is_not_listed() -> None:
    listing = _listing(_job("c", at=3), _job("b", at=2), _job("a", at=1), total=9)

    assert listing.change(_job("old", "pending", at=0.5)) == Applied(None, recount=True)
    assert listing.delete("older") == Applied(None, recount=True)
    assert _ids(listing) == ["c", "b", "a"]
    assert (listing.jobs.total, listing.ended) == (9, COUNTED)


def test_a_listing_of_every_job_needs_no_recount() -> None:
    listing = _listing(_job("b", at=2), _job("a", at=1))

    assert listing.change(_job("early", "failed", at=0.5)) == Applied(None)
    assert listing.delete("never-listed") == Applied(None)
    assert _ids(listing) == ["b", "a", "early"]
    assert (listing.jobs.total, listing.ended) == (3, {"completed": 5, "failed": 3})


def test_a_deleted_job_leaves_the_list_and_its_count() -> None:
    listing = _listing(_job("b", "failed", at=2), _job("a", at=1))

    assert listing.delete("b") == Applied("failed")
    assert _ids(listing) == ["a"]
    assert (listing.jobs.total, listing.ended) == (1, {"completed": 5, "failed": 1})
