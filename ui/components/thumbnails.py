"""Scene thumbnails as they arrive, beside an empty slot for every scene still to come."""

from __future__ import annotations

from collections.abc import Callable

from nicegui import binding, ui
from nicegui.binding import BindableProperty

from services.dashboard.progress_model import ProgressModel

# an asset URL as the backend gave it → the path the page shows, or None for one not to show
MediaPath = Callable[[str], str | None]


def scene_image(url: str, number: int) -> ui.element:
    """A finished scene's thumbnail (a media relay path) as a plain ``<img>``."""
    image = ui.element("img").classes("aurora-thumb")
    image.props.update({"src": url, "alt": f"Scene {number}", "data-testid": "scene-thumbnail"})
    return image


class ThumbnailStrip(ui.element):
    """A grid of slots, one per scene; a slot shows its thumbnail once the scene is done.

    A filled slot keeps the first URL it got: the backend signs its URLs afresh on every
    update, and swapping them would make the browser load the same picture again.
    """

    thumbnails = BindableProperty(on_change=lambda strip, _: strip._sync())
    scene_count = BindableProperty(on_change=lambda strip, _: strip._sync())

    def __init__(self, model: ProgressModel, media_path: MediaPath) -> None:
        super().__init__("div")
        self.classes("aurora-thumbs w-full")
        self._media_path = media_path
        self._slots: list[ui.element] = []
        self._filled = 0
        self.thumbnails = []
        self.scene_count = 0
        binding.bind_from(self, "thumbnails", model, "thumbnails")
        binding.bind_from(self, "scene_count", model, "scene_count")
        self._sync()

    def _sync(self) -> None:
        """Add slots for new scenes and fill the slots of newly finished ones."""
        urls = [url for thumbnail in self.thumbnails if (url := self._media_path(thumbnail.url))]
        self.set_visibility(bool(urls) or self.scene_count > 0)
        while len(self._slots) < max(self.scene_count, len(urls)):
            with self:
                self._slots.append(ui.element("div").classes("aurora-thumb-slot"))
        for index in range(self._filled, len(urls)):
            slot = self._slots[index]
            slot.classes(remove="aurora-thumb-slot")
            with slot:
                scene_image(urls[index], index + 1)
        self._filled = max(self._filled, len(urls))
