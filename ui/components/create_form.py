"""The Create page's form: what to make, checked on the page before the backend sees it."""

from __future__ import annotations

from collections.abc import Callable

from nicegui import ui

from services.client import AuroraClient, AuroraError
from services.contract import (
    ASPECT_RATIOS,
    DURATIONS,
    PROMPT_MAX_CHARS,
    STYLE_MAX_CHARS,
    GenerateRequest,
    JobSummary,
)
from services.dashboard.settings import JobDefaults
from ui.access import page_user
from ui.components.queue_outlook import QueueOutlook
from ui.notifications import ask_on, mark_started

_DURATIONS = {seconds: f"{seconds} seconds" for seconds in DURATIONS}
_SHAPES = {"16:9": "Landscape", "9:16": "Portrait", "1:1": "Square"}
_ASPECT_RATIOS = {ratio: f"{ratio} · {_SHAPES[ratio]}" for ratio in ASPECT_RATIOS}


def prompt_problem(text: str | None) -> str | None:
    """Why the prompt cannot be sent, or None when it can (the contract's rule, in words)."""
    length = len((text or "").strip())
    if length == 0:
        return "Describe the video you want to make"
    if length > PROMPT_MAX_CHARS:
        return f"Keep the prompt to {PROMPT_MAX_CHARS} characters (it has {length})"
    return None


def style_problem(text: str | None) -> str | None:
    """Why the style cannot be sent, or None when it can."""
    length = len((text or "").strip())
    if length > STYLE_MAX_CHARS:
        return f"Keep the style to {STYLE_MAX_CHARS} characters (it has {length})"
    return None


class CreateForm:
    """Prompt, duration, aspect ratio, style and *Generate Video*.

    A click starts at most one job: a second click while the first request is on its way is
    ignored (the button is also disabled, but that reaches the browser only after a round
    trip). A refusal keeps everything the user typed and says why in a notification.
    """

    def __init__(self, client: AuroraClient, defaults: JobDefaults, *,
                 on_started: Callable[[str], None]) -> None:
        self._client = client
        self._user = page_user().name  # the job's owner, where people sign in
        self._on_started = on_started
        self._submitting = False
        with ui.column().classes("aurora-panel w-full p-6 gap-4"):
            self.prompt = ui.textarea(
                label="Describe your video",
                placeholder="A fox runs through a snowy forest at dawn",
                validation=prompt_problem,
            ).classes("w-full") \
                .props('outlined autogrow input-style="min-height: 6.5em" data-testid=prompt-input'
                       ' hint="Ctrl+Enter generates"')
            for keys in ("keydown.ctrl.enter", "keydown.meta.enter"):  # ⌘ on a Mac
                self.prompt.on(keys, self.submit)
            with ui.row().classes("w-full items-start gap-4"):
                self.duration = ui.select(_DURATIONS, value=defaults.duration, label="Duration") \
                    .classes("w-40").props("outlined data-testid=duration-select")
                self.aspect = ui.select(_ASPECT_RATIOS, value=defaults.aspect_ratio,
                                        label="Aspect ratio") \
                    .classes("w-48").props("outlined data-testid=aspect-select")
                self.style = ui.input(label="Style", placeholder="cinematic",
                                      validation=style_problem) \
                    .classes("w-56").props("outlined data-testid=style-input")
                ui.space()
                with ui.column().classes("items-center gap-1 self-center"):
                    self.button = ui.button("Generate Video", icon="movie",
                                            on_click=self.submit, color=None) \
                        .classes("aurora-generate") \
                        .props("no-caps data-testid=generate-button")
                    ask_on(self.button)  # the first Generate asks to notify, never sooner
                    self.outlook = QueueOutlook(client, user=self._user)

    def fill(self, job: JobSummary) -> None:
        """Put a previous job's prompt and settings back into the form."""
        self.prompt.set_value(job.prompt)
        if job.duration in _DURATIONS:
            self.duration.set_value(job.duration)
        if job.aspect_ratio in _ASPECT_RATIOS:
            self.aspect.set_value(job.aspect_ratio)
        self.style.set_value(job.style)

    def focus_prompt(self) -> None:
        """Bring the user back to the prompt (after a failed job: *Try Again*)."""
        self.prompt.run_method("focus")

    async def submit(self) -> None:
        """Check the input, ask the backend for a new job, and hand its id on."""
        if self._submitting:
            return
        if not all([self.prompt.validate(), self.style.validate()]):
            return
        self._submitting = True
        self.button.props(add="loading")
        self.button.disable()
        try:
            response = await self._client.generate(GenerateRequest(
                prompt=self.prompt.value, duration=self.duration.value,
                aspect_ratio=self.aspect.value, style=self.style.value or ""), user=self._user)
        except AuroraError as error:
            ui.notify(str(error), type="negative", position="top", multi_line=True)
            return
        finally:
            self._submitting = False
            self.button.props(remove="loading")
            self.button.enable()
        mark_started(response.job_id)
        self._on_started(response.job_id)
