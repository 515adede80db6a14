"""``/workspace/{job_id}``: a finished video with its scenes, prompt, settings and script.

A job still running shows its live progress instead, and a failed one can be retried here by
its owner or an admin (the page then follows it live); an unknown or malformed id gets a
"not found" page (a malformed one never reaches the backend). Everything the user wrote is
shown as text, and every picture and video comes through the dashboard's media relay (only
http(s) assets are shown).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from nicegui import ui

from services.client import AuroraClient, AuroraError, JobNotFound
from services.contract import JobDetail, JobStatus, has_ended, is_valid_job_id
from services.dashboard.shared import Dashboard
from ui.access import page_user
from ui.components.dead_end import dead_end
from ui.components.job_actions import confirm_delete, delete_job, retry_job
from ui.components.live_job import LiveJob
from ui.components.thumbnails import MediaPath, scene_image
from ui.connection import tab_opened
from ui.format import NO_PROMPT, NOT_GIVEN, format_clock, format_duration
from ui.theme import action_button, frame, link_button
from ui.toasts import mark_watched, toast_job_endings
from ui.urls import CREATE, JOBS, generate_again_url

PAGE_TIMEOUT = 15.0  # the job is read before the page is sent; the client gives up after 10 s


def register(dashboard: Dashboard) -> None:
    """Add the workspace page."""

    # ``:path``: an id with a (decoded) slash still gets this page's "not found", not a bare 404
    @ui.page("/workspace/{job_id:path}", response_timeout=PAGE_TIMEOUT)
    async def workspace_page(job_id: str) -> None:
        with frame("Workspace"):
            job = await find_job(dashboard.client, job_id)
            if job is not None:
                job_header(job)
                if has_ended(job.status):
                    finished(dashboard, job)
                await job_log(dashboard.client, job)
            if not await tab_opened():
                return
            toast_job_endings(dashboard.directory, page_user())
            if job is not None and not has_ended(job.status):
                mark_watched(job_id)
                LiveJob(dashboard, job_id)  # live from the hub, until it reloads as finished


async def find_job(client: AuroraClient, job_id: str) -> JobDetail | None:
    """The job; or None, once the page says why there is none."""
    if not is_valid_job_id(job_id):
        not_found(job_id)
        return None
    try:
        return await client.get_job(job_id)
    except JobNotFound:
        not_found(job_id)
    except AuroraError as error:
        unavailable(str(error))
    return None


def finished(dashboard: Dashboard, job: JobDetail) -> None:
    """The video (or why there is none) beside the details, then the scenes.

    A grid, not a wrapping row: flex columns with a zero basis never wrap, they shrink (on a
    phone, to a video a few pixels wide). Below 1024 px the grid has one column
    (``ui/theme.css``): the video first, full width, then the details.
    """
    media_path = partial(dashboard.media.path_for, job_id=job.job_id)  # fresh URLs on expiry
    with ui.element("div").classes("aurora-workspace-main w-full"):
        with ui.column().classes("min-w-0 gap-4"):
            result(media_path, job)
            if job.status == JobStatus.FAILED and page_user().may_act_on(job.owner) \
                    and dashboard.extensions.may_retry(job):
                retry_offer(dashboard, job.job_id)
        details(job, deletable=page_user().may_act_on(job.owner) and dashboard.extensions.delete,
                on_delete=lambda: confirm_delete(job, lambda: delete_and_leave(dashboard, job)))
    scenes(media_path, job)


def not_found(job_id: str) -> None:
    """A clear dead end for an id no job has, with the way back."""
    ui.status_code(404)
    with dead_end("search_off", "Video not found", f"No job has the id “{job_id[:80]}”.",
                  test_id="not-found"):
        link_button("Create a video", CREATE, icon="movie", test_id="create-link")


def unavailable(reason: str) -> None:
    """The backend could not be asked; a reload tries again."""
    with dead_end("cloud_off", "The backend is not answering", reason, test_id="unavailable"):
        action_button("Try again", ui.navigate.reload, test_id="reload-button")


def job_header(job: JobDetail) -> None:
    """The prompt as the page's title, clamped to a few lines so the video stays in view.

    The whole prompt is the title's tooltip and is shown in full under *Details*.
    """
    ui.label("Workspace").classes("aurora-section")
    title = ui.label(job.prompt or NO_PROMPT).classes("aurora-workspace-title -mt-3 w-full")
    title.props.update({"data-testid": "job-prompt", "title": job.prompt})


def result(media_path: MediaPath, job: JobDetail) -> None:
    """The final video, playing in the page, or why there is none."""
    final = job.assets.final_video if job.assets else None
    url = media_path(final.url) if final else None
    if job.status == JobStatus.COMPLETED and url:
        video = ui.video(url, autoplay=True, muted=True).classes("aurora-video w-full") \
            .props("data-testid=final-video playsinline preload=auto")
        thumbnail_strip(media_path, job, video)
    elif job.status == JobStatus.FAILED:
        ui.label(job.error or "Generation failed").classes("aurora-error w-full") \
            .props("data-testid=error-message")
    else:
        ui.label("The backend lists no video for this job.").classes("aurora-muted")


def retry_offer(dashboard: Dashboard, job_id: str) -> None:
    """*Retry* under a failed job's reason: it resumes where it stopped, and the page, read
    again, follows it live (the backend decides again whether the user may)."""
    async def retry() -> None:
        if await retry_job(dashboard, job_id, user=page_user()):
            ui.navigate.reload()

    action_button("Retry", retry, test_id="retry-job-button", icon="replay").classes("self-start") \
        .bind_visibility_from(dashboard.extensions, "retry")


async def job_log(client: AuroraClient, job: JobDetail) -> None:
    """What happened to the job, newest last, folded away unless the job failed (nothing from
    a backend that keeps no logs, or cannot be asked just now)."""
    try:
        entries = (await client.job_log(job.job_id)).lines
    except AuroraError:
        return
    if not entries:
        return
    section = ui.expansion(f"Log · {len(entries)} lines", icon="receipt_long",
                           value=job.status == JobStatus.FAILED) \
        .classes("aurora-panel w-full mt-4").props("data-testid=job-log-section")
    with section, ui.column().classes("aurora-log w-full gap-1").props("data-testid=job-log"):
        for entry in entries:
            with ui.row().classes("aurora-log-line w-full no-wrap gap-3") \
                    .props(f"data-level={entry.level}"):
                ui.label(format_clock(entry.at)).classes("aurora-muted flex-none")
                ui.label(entry.message).classes("min-w-0 break-words")


def thumbnail_strip(media_path: MediaPath, job: JobDetail, video: ui.video) -> None:
    """Scene thumbnails under the video; a click jumps to that scene."""
    thumbnails = job.assets.thumbnails if job.assets else []
    urls = [url for thumbnail in thumbnails if (url := media_path(thumbnail.url))]
    if not urls or not job.duration:
        return
    scene_seconds = job.duration / len(urls)
    with ui.element("div").classes("aurora-thumbs w-full"):
        for index, url in enumerate(urls):
            scene_image(url, index + 1).classes("cursor-pointer") \
                .on("click", partial(video.seek, index * scene_seconds))


async def delete_and_leave(dashboard: Dashboard, job: JobDetail) -> None:
    """Delete the job (the user said yes), then go to the list it has left."""
    tab = ui.context.client
    if await delete_job(dashboard, job.job_id, user=page_user()) and not tab.is_deleted:
        with tab:
            ui.navigate.to(JOBS)


def details(job: JobDetail, *, deletable: bool, on_delete: Callable[[], None]) -> None:
    """Status, settings and the whole prompt beside the video, *Generate again*, and
    *Delete* where the user may."""
    with ui.column().classes("aurora-panel p-5 gap-3").props("data-testid=job-details"):
        ui.label("Details").classes("aurora-section")
        for name, value in (("Status", job.status.capitalize()),
                            ("Duration", format_duration(job.duration)),
                            ("Aspect ratio", job.aspect_ratio),
                            ("Style", job.style)):
            with ui.row().classes("w-full justify-between gap-4 no-wrap"):
                ui.label(name).classes("aurora-muted")
                ui.label(value or NOT_GIVEN).classes("text-right break-all")
        full_prompt(job.prompt)
        action_button("Generate again", lambda: ui.navigate.to(generate_again_url(job.job_id)),
                      icon="replay", test_id="generate-again-button").classes("w-full mt-2")
        if deletable:
            action_button("Delete", on_delete, icon="delete_outline", test_id="delete-button",
                          subtle=True).classes("w-full")


def full_prompt(prompt: str) -> None:
    """The prompt as the user wrote it (line breaks kept), where the clamped title cuts it."""
    with ui.column().classes("w-full gap-1"):
        ui.label("Prompt").classes("aurora-muted")
        ui.label(prompt or NOT_GIVEN).classes("aurora-full-prompt w-full") \
            .props("data-testid=full-prompt")


def scenes(media_path: MediaPath, job: JobDetail) -> None:
    """Each scene's clip beside what the script says happens in it."""
    assets = job.assets
    clips = assets.scene_clips if assets else []
    posters = assets.thumbnails if assets else []
    script = job.script or []
    count = max(len(clips), len(script))
    if not count:
        return
    ui.label("Scenes").classes("aurora-section mt-4")
    with ui.element("div").classes("aurora-scenes w-full"):
        for index in range(count):
            with ui.column().classes("aurora-panel p-3 gap-2").props("data-testid=scene-card"):
                clip = media_path(clips[index].url) if index < len(clips) else None
                if clip:
                    player = ui.video(clip).classes("aurora-clip w-full").props("preload=metadata")
                    poster = media_path(posters[index].url) if index < len(posters) else None
                    if poster:
                        player.props["poster"] = poster
                ui.label(f"Scene {index + 1}").classes("font-semibold")
                if index < len(script):
                    ui.label(script[index]).classes("aurora-muted text-sm") \
                        .props("data-testid=script-line")
