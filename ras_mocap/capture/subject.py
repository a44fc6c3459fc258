"""Which of the people BlazePose finds is the subject: largest, most central, or followed.

"follow" (the default) takes the largest person first and then, frame after
frame, the person nearest to where the subject is expected (constant velocity,
gated by body size), so a bystander crossing the frame is never taken for them.
If the subject is lost for longer than `reacquire_after_s`, the largest person
is taken again (someone walking back into a webcam's view).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.skeleton import KP
from .detector import Detection

__all__ = ["SUBJECT_MODES", "SubjectSelector", "PersonBox"]

SUBJECT_MODES = ("follow", "largest", "central")

_HIPS = [KP["left_hip"], KP["right_hip"]]


@dataclass(frozen=True)
class PersonBox:
    """A detected person's hip centre and landmark extent, in pixels."""

    centre_px: np.ndarray  # (2,)
    height_px: float

    @classmethod
    def of(cls, detection: Detection, image_size_px: tuple[int, int]) -> PersonBox:
        xy = detection.image_xyz[:, :2] * np.asarray(image_size_px, float)
        extent = xy.max(axis=0) - xy.min(axis=0)
        return cls(centre_px=xy[_HIPS].mean(axis=0), height_px=float(max(extent[1], extent[0], 1.0)))


class SubjectSelector:
    """Picks one detection a frame; `choose` is called in time order."""

    def __init__(
        self,
        mode: str = "follow",
        image_size_px: tuple[int, int] = (1, 1),
        gate_body_heights: float = 0.5,
        gate_growth_per_s: float = 1.5,
        reacquire_after_s: float = 2.0,
    ):
        if mode not in SUBJECT_MODES:
            raise ValueError(f"subject selection must be one of {', '.join(SUBJECT_MODES)}, not {mode!r}")
        self.mode = mode
        self.image_size_px = image_size_px
        self.gate_body_heights = gate_body_heights
        self.gate_growth_per_s = gate_growth_per_s
        self.reacquire_after_s = reacquire_after_s
        self._last: PersonBox | None = None
        self._last_time_s = 0.0
        self._velocity_px_s = np.zeros(2)

    def choose(self, detections: list[Detection], time_s: float) -> Detection | None:
        if not detections:
            return None
        boxes = [PersonBox.of(d, self.image_size_px) for d in detections]
        if self.mode == "central":
            centre = np.asarray(self.image_size_px, float) / 2
            return detections[int(np.argmin([np.linalg.norm(b.centre_px - centre) for b in boxes]))]
        largest = int(np.argmax([b.height_px for b in boxes]))
        if self.mode == "largest":
            return detections[largest]
        chosen = self._follow(boxes, time_s)
        if chosen is None and (self._last is None or time_s - self._last_time_s > self.reacquire_after_s):
            chosen = largest
        if chosen is None:
            return None
        self._update(boxes[chosen], time_s)
        return detections[chosen]

    def _follow(self, boxes: list[PersonBox], time_s: float) -> int | None:
        """Index of the box continuing the subject's path, or None if none is close enough."""
        if self._last is None:
            return None
        dt_s = time_s - self._last_time_s
        predicted = self._last.centre_px + self._velocity_px_s * min(dt_s, 0.5)
        gate_px = self._last.height_px * (self.gate_body_heights + self.gate_growth_per_s * dt_s)
        best, best_px = None, gate_px
        for i, box in enumerate(boxes):
            size_ratio = box.height_px / self._last.height_px
            distance_px = float(np.linalg.norm(box.centre_px - predicted))
            if 0.5 <= size_ratio <= 2.0 and distance_px <= best_px:
                best, best_px = i, distance_px
        return best

    def _update(self, box: PersonBox, time_s: float) -> None:
        if self._last is not None and 0 < time_s - self._last_time_s <= 0.5:
            velocity = (box.centre_px - self._last.centre_px) / (time_s - self._last_time_s)
            self._velocity_px_s = 0.5 * self._velocity_px_s + 0.5 * velocity
        else:
            self._velocity_px_s = np.zeros(2)
        self._last, self._last_time_s = box, time_s
