"""axe-core, the accessibility checker, run in a page the way its own docs show: inject
``axe.min.js`` (npm's package, which ``make test`` installs under ``.tools``), then ``axe.run``."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page

AXE_SCRIPT = Path(__file__).resolve().parents[1] / ".tools/node_modules/axe-core/axe.min.js"

# Every finite animation (a toast sliding in, a dialog fading) has ended: a colour measured
# mid-fade is not the colour a user reads. Spinners run forever and are left alone.
SETTLED = """() => document.getAnimations().every((animation) =>
    animation.playState !== 'running' || animation.effect.getTiming().iterations === Infinity)"""

SERIOUS = """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
    .filter((found) => ['serious', 'critical'].includes(found.impact))
    .map((found) => `${found.id}: ${found.nodes.map((node) => node.html.slice(0, 120))}`)"""


def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now, once its
    animations have settled: each rule's id and the elements it found."""
    assert AXE_SCRIPT.exists(), f"{AXE_SCRIPT} is missing: `make test` installs it with npm"
    page.wait_for_function(SETTLED)
    if not page.evaluate("() => 'axe' in window"):
        page.add_script_tag(path=str(AXE_SCRIPT))
    found: list[str] = page.evaluate(SERIOUS)
    return found
