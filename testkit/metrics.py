"""Reading a program's ``/metrics`` in tests, as Prometheus would."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]  # (name, labels): value


def scrape(base_url: str) -> Samples:
    """Every sample ``/metrics`` serves, by name and sorted labels, parsed with Prometheus's
    own parser; no series may be served twice."""
    answer = httpx.get(f"{base_url}/metrics", timeout=10)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    families = list(text_string_to_metric_families(answer.text))
    names = [family.name for family in families]
    assert len(names) == len(set(names)), "a series is served twice"
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in families for sample in family.samples}


def value(base_url: str, name: str) -> float:
    """The one unlabelled sample ``name`` (KeyError if it is not served)."""
    return scrape(base_url)[(name, ())]
