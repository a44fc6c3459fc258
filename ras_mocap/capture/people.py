"""People, pass 1: everyone in a video found and linked into identities over time (no bpy).

BlazePose in VIDEO mode looks for several poses on about five frames a second: its person
detector finds people and its tracker keeps them from one sampled frame to the next, while
the frames are decoded ahead on their own thread. The detector sees the whole image shrunk
to 224 x 224 pixels, where a person under ~50 of them is missed (the walker of a 16:9 street
scene), so a wide frame is looked at as overlapping squares, one landmarker each, on
parallel threads (MediaPipe releases the GIL). Each sampled frame's poses are linked to
the identities seen before (identities.py), so an identity survives a short occlusion. Each
identity (a `Person`) records its frames, boxes, travel and motion; `subject.py` chooses
among them.
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
from scipy.ndimage import median_filter

from ..core.progress import Cancelled
from ..core.rootmotion import focal_px_for
from ..core.skeleton import KP
from .detector import PoseDetector, RegionOfInterest
from .identities import IdentityLinker, Sighting, sightings_of
from .sources import ReadAhead, SourceError, VideoFileSource
from ..core.errors import InputError

__all__ = ["Cancelled", "PeopleSettings", "Person", "People", "find_people", "people_table", "detection_tiles"]

_HIPS, _ANKLES = [KP["left_hip"], KP["right_hip"]], [KP["left_ankle"], KP["right_ankle"]]


@dataclass(frozen=True)
class PeopleSettings:
    model_path: Path
    roi: RegionOfInterest | None = None
    """Only people inside this pixel rectangle are looked for."""
    num_poses: int = 4
    """How many people BlazePose follows at once."""
    sample_rate_hz: float = 5.0
    """Frames looked at per second of video (a stride of fps / rate)."""
    min_confidence: float = 0.5

    def describe(self) -> dict:
        return {"model": Path(self.model_path).name, "roi": asdict(self.roi) if self.roi else None,
                "num_poses": self.num_poses, "sample_rate_hz": self.sample_rate_hz}


@dataclass(frozen=True)
class Person:
    """One identity over the clip: where it was seen and how it moved.

    Figures are in body heights (from trunk and leg lengths in the image), so a person far
    away and one near are measured alike.
    """

    id: int
    frame_index: np.ndarray  # (k,) sampled frames where this person was seen
    time_s: np.ndarray  # (k,)
    keypoints_px: np.ndarray  # (k, 33, 2)
    visibility: np.ndarray  # (k, 33)
    height_px: np.ndarray  # (k,) body height, smoothed over neighbouring sightings
    share_seen: float
    """Fraction of the clip's sampled frames in which this person was seen."""
    travel_body_heights: float
    """Extent of the hip path (5th to 95th percentile, across the image and in depth)."""
    motion_body_heights_per_s: float
    """Median speed of the 33 keypoints: how much this person moves, walking or in place."""
    leg_periodicity: float
    """Peak autocorrelation (0..1) of the ankles' separation at a stride-like lag: walking or running."""
    image_size_px: tuple[int, int]

    @property
    def first_frame(self) -> int:
        return int(self.frame_index[0])

    @property
    def last_frame(self) -> int:
        return int(self.frame_index[-1])

    @property
    def boxes_px(self) -> np.ndarray:
        """(k, 4) x0, y0, x1, y1 around the keypoints of each sighting."""
        return np.concatenate([self.keypoints_px.min(axis=1), self.keypoints_px.max(axis=1)], axis=1)

    @property
    def largest_side_px(self) -> float:
        """The longest side of any of this person's boxes: how large they get in the frame."""
        return float(np.max(self.boxes_px[:, 2:] - self.boxes_px[:, :2]))

    @property
    def mean_box_px(self) -> np.ndarray:
        return self.boxes_px.mean(axis=0)

    @property
    def median_height_px(self) -> float:
        return float(np.median(self.height_px))

    @cached_property
    def hip_px(self) -> np.ndarray:
        """(k, 2) hip centre of each sighting."""
        return self.keypoints_px[:, _HIPS].mean(axis=1)

    def walks(self, min_travel_body_heights: float = 1.0, min_periodicity: float = 0.4) -> bool:
        """Travels and moves its legs periodically (walking, running)."""
        return self.travel_body_heights >= min_travel_body_heights and self.leg_periodicity >= min_periodicity

    def box_at(self, frame_index: float, margin: bool = False) -> np.ndarray | None:
        """Where this person is expected at a frame: (x0, y0, x1, y1), interpolated between
        sightings (centres and sizes smoothed over neighbouring sightings); None outside the
        frames seen, or with `margin` one sample beyond them (held from the nearest sighting)."""
        pad = self._margin if margin else 0.0
        if not self.frame_index[0] - pad <= frame_index <= self.frame_index[-1] + pad:
            return None
        centre, extent = self._smoothed_boxes
        c = [np.interp(frame_index, self.frame_index, centre[:, i]) for i in range(2)]
        e = [np.interp(frame_index, self.frame_index, extent[:, i]) for i in range(2)]
        return np.array([c[0] - e[0] / 2, c[1] - e[1] / 2, c[0] + e[0] / 2, c[1] + e[1] / 2])

    @cached_property
    def _smoothed_boxes(self) -> tuple[np.ndarray, np.ndarray]:
        """(k, 2) centres and (k, 2) sizes of the boxes, median-filtered over 3 sightings; made
        once (pass 2 asks for a box every frame: remade each time, a long clip's cost grew as its square)."""
        boxes = self.boxes_px
        size = 3 if len(boxes) >= 3 else 1
        return (median_filter((boxes[:, :2] + boxes[:, 2:]) / 2, size=(size, 1), mode="nearest"),
                median_filter(boxes[:, 2:] - boxes[:, :2], size=(size, 1), mode="nearest"))

    def path_box_px(self, margin_body_heights: float = 0.4) -> np.ndarray:
        """(x0, y0, x1, y1) around every box of this person, widened by a margin of their size."""
        boxes = self.boxes_px
        margin = margin_body_heights * self.largest_side_px
        return np.concatenate([boxes[:, :2].min(axis=0) - margin, boxes[:, 2:].max(axis=0) + margin])

    def expects(self, sighting: Sighting, max_body_heights: float = 0.75, max_size_ratio: float = 1.5) -> bool:
        """Whether a sighting (in pass 2) can be this person: hips near where they are expected
        at its frame (interpolated between sightings) and a body height of their size."""
        frame = sighting.frame_index
        if not self.frame_index[0] - self._margin <= frame <= self.frame_index[-1] + self._margin:
            return False
        hip = np.array([np.interp(frame, self.frame_index, self.hip_px[:, i]) for i in range(2)])
        height = float(np.interp(frame, self.frame_index, self.height_px))
        return (np.linalg.norm(sighting.hip_px - hip) <= max_body_heights * height
                and 1 / max_size_ratio <= sighting.height_px / height <= max_size_ratio)

    @cached_property
    def _margin(self) -> float:
        """Frames before the first / after the last sighting where the person may still be: one sample."""
        return float(np.median(np.diff(self.frame_index))) if len(self.frame_index) > 1 else 0.0

    def nearest_distance_px(self, x_px: float, y_px: float, frame_index: float) -> float:
        """How far a pixel lies from this person's box at a frame (0 inside it; inf if not seen
        then, or within a sample of it)."""
        box = self.box_at(frame_index, margin=True)
        if box is None:
            return np.inf
        dx = max(box[0] - x_px, 0.0, x_px - box[2])
        dy = max(box[1] - y_px, 0.0, y_px - box[3])
        return float(np.hypot(dx, dy))

    def summary(self) -> dict:
        """Plain figures for listings and a track's meta."""
        return {
            "id": self.id, "first_frame": self.first_frame, "last_frame": self.last_frame,
            "share_seen": round(self.share_seen, 3), "mean_box_px": [round(float(v)) for v in self.mean_box_px],
            "height_px": round(self.median_height_px), "travel_body_heights": round(self.travel_body_heights, 2),
            "motion_body_heights_per_s": round(self.motion_body_heights_per_s, 3),
            "leg_periodicity": round(self.leg_periodicity, 2),
        }

    @classmethod
    def of(cls, person_id: int, sightings: list[Sighting], n_samples: int, sample_period_s: float,
           image_size_px: tuple[int, int]) -> Person:
        frames = np.array([s.frame_index for s in sightings])
        times = np.array([s.time_s for s in sightings])
        keypoints = np.stack([s.keypoints_px for s in sightings])
        heights = median_filter(np.array([s.height_px for s in sightings]), size=min(5, len(sightings)), mode="nearest")
        hips = keypoints[:, _HIPS].mean(axis=1)
        return cls(
            id=person_id, frame_index=frames, time_s=times, keypoints_px=keypoints,
            visibility=np.stack([s.visibility for s in sightings]), height_px=heights,
            share_seen=len(sightings) / max(n_samples, 1),
            travel_body_heights=_travel_body_heights(hips, heights, image_size_px),
            motion_body_heights_per_s=_motion(keypoints, heights, times, sample_period_s),
            leg_periodicity=_leg_periodicity(keypoints, heights, times, sample_period_s),
            image_size_px=tuple(image_size_px),
        )


def _travel_body_heights(hips_px: np.ndarray, heights_px: np.ndarray, image_size_px: tuple[int, int]) -> float:
    """Extent of the hip path in body heights: across the image ((u - cx) / h, (v - cy) / h) and
    in depth (f / h) for a pinhole camera of the assumed field of view."""
    centre = np.asarray(image_size_px, float) / 2
    position = np.column_stack([(hips_px - centre) / heights_px[:, None], focal_px_for(image_size_px) / heights_px])
    low, high = np.percentile(position, [5, 95], axis=0)
    return float(np.linalg.norm(high - low))


def _consecutive(times_s: np.ndarray, sample_period_s: float) -> np.ndarray:
    """(k-1,) bool: sighting i+1 follows sighting i one sample later (no frame missed between)."""
    return np.diff(times_s) <= 1.5 * sample_period_s


def _motion(keypoints_px: np.ndarray, heights_px: np.ndarray, times_s: np.ndarray, sample_period_s: float) -> float:
    """Median over consecutive sightings of the mean keypoint speed, in body heights per second."""
    steps = _consecutive(times_s, sample_period_s)
    if not steps.any():
        return 0.0
    speed = np.linalg.norm(np.diff(keypoints_px, axis=0), axis=2).mean(axis=1) / np.diff(times_s) / heights_px[1:]
    return float(np.median(speed[steps]))


def _leg_periodicity(keypoints_px: np.ndarray, heights_px: np.ndarray, times_s: np.ndarray,
                     sample_period_s: float, stride_s: tuple[float, float] = (0.3, 2.2)) -> float:
    """Walking and running swing the feet past each other: the ankles' distance (in body heights)
    rises and falls once a step. Its peak normalised autocorrelation at lags of a step or a
    stride (`stride_s`), over the longest run of consecutive sightings (the distance, not which
    ankle is ahead, so BlazePose's left/right swaps do not matter)."""
    steps = np.concatenate([[False], _consecutive(times_s, sample_period_s)])
    starts = np.flatnonzero(~steps)
    bounds = list(zip(starts, list(starts[1:]) + [len(times_s)]))
    start, stop = max(bounds, key=lambda b: b[1] - b[0])
    separation = np.linalg.norm(keypoints_px[start:stop, _ANKLES[0]] - keypoints_px[start:stop, _ANKLES[1]],
                                axis=1) / heights_px[start:stop]
    lags = range(max(1, round(stride_s[0] / sample_period_s)), round(stride_s[1] / sample_period_s) + 1)
    centred = separation - separation.mean()
    energy = float(centred @ centred)
    if len(centred) < 2 * lags.start + 2 or energy <= 1e-9 or separation.std() < 0.03:
        return 0.0
    best = max((float(centred[:-lag] @ centred[lag:]) / energy * len(centred) / (len(centred) - lag)
                for lag in lags if lag < len(centred) - 2), default=0.0)
    return float(np.clip(best, 0.0, 1.0))


@dataclass(frozen=True)
class People:
    """Everyone found in a clip, numbered 1..N by first appearance."""

    persons: list[Person]
    sampled_frames: np.ndarray
    fps: float
    image_size_px: tuple[int, int]
    meta: dict = field(default_factory=dict)

    def by_id(self, person_id: int) -> Person:
        for person in self.persons:
            if person.id == person_id:
                return person
        known = ", ".join(str(p.id) for p in self.persons) or "none"
        raise InputError(f"no person {person_id} in this clip (people found: {known})")

    @property
    def sample_stride(self) -> int:
        return int(np.median(np.diff(self.sampled_frames))) if len(self.sampled_frames) > 1 else 1


def detection_tiles(region_px: tuple[int, int, int, int], min_aspect: float = 1.5) -> list[np.ndarray | None]:
    """Where pass 1 looks in a frame: squares as tall as the region (x0, y0, x1, y1), spread with
    overlap across a region at least `min_aspect` times wider than tall (round(width / height)
    of them); [None] (the whole region) otherwise - a standing person fits any of them."""
    x0, y0, x1, y1 = region_px
    width, height = x1 - x0, y1 - y0
    if width < min_aspect * height:
        return [None]
    return [np.array([x, y0, x + height, y1], float) for x in np.linspace(x0, x1 - height, round(width / height))]


def find_people(
    video: str | Path,
    settings: PeopleSettings,
    start_frame: int = 0,
    end_frame: int | None = None,
    progress=None,
    min_sightings: int = 3,
) -> People:
    """Pass 1 over [start_frame, end_frame): every person found on sampled frames, as identities.

    progress(done, total) is called after each sampled frame; returning True raises Cancelled.
    Identities seen in fewer than `min_sightings` sampled frames (spurious poses) are dropped.
    """
    linker = IdentityLinker()
    sampled: list[int] = []
    with VideoFileSource(video, start_frame, end_frame, sample_rate_hz=settings.sample_rate_hz) as opened:
        period_s = opened.stride / opened.fps
        size, fps, total = (opened.width, opened.height), opened.fps, opened.n_frames
        tiles = detection_tiles((settings.roi or RegionOfInterest()).clip(*size))
        source = ReadAhead(opened)
        detectors: list[PoseDetector] = []
        pool = ThreadPoolExecutor(min(len(tiles), os.cpu_count() or 1), thread_name_prefix="ras-mocap-people")
        try:
            for _ in tiles:
                detectors.append(PoseDetector(settings.model_path, settings.roi, settings.num_poses,
                                              settings.min_confidence))
            for frame in source:
                found = pool.map(lambda k: detectors[k].detect(frame, tiles[k]), range(len(tiles)))
                linker.update(sightings_of([d for tile in found for d in tile], frame.index, frame.time_s, size))
                sampled.append(frame.index)
                if progress and progress(len(sampled), total):
                    raise Cancelled(f"finding people cancelled after {len(sampled)} of {total} sampled frames")
        finally:
            pool.shutdown()
            for detector in detectors:
                detector.close()
            source.close()
    if not sampled:
        raise SourceError(f"no frame could be decoded from {video}")
    kept = sorted((ident.sightings for ident in linker.identities if len(ident.sightings) >= min_sightings),
                  key=lambda s: (s[0].frame_index, s[0].hip_px[0]))
    persons = [Person.of(i + 1, s, len(sampled), period_s, size) for i, s in enumerate(kept)]
    meta = {"source": str(Path(video).resolve()), "start_frame": start_frame, "end_frame": end_frame,
            "tiles": len(tiles), **settings.describe()}
    return People(persons, np.array(sampled), fps, size, meta)


def people_table(people: People, subject_id: int | None = None, reason: str = "") -> str:
    """The `people` listing: one line per person, the subject marked."""
    lines = ["  id  frames     seen  mean box x0,y0-x1,y1 (px)  height  travel  motion   legs",
             "                                                   (px)    (bh)    (bh/s)"]
    for p in people.persons:
        x0, y0, x1, y1 = (round(float(v)) for v in p.mean_box_px)
        mark = f"  <- subject: {reason}" if p.id == subject_id else ""
        lines.append(f"{p.id:4d}  {p.first_frame:4d}-{p.last_frame:<4d}  {100 * p.share_seen:3.0f}%  "
                     f"{f'{x0},{y0}-{x1},{y1}':<25s}  {p.median_height_px:6.0f}  {p.travel_body_heights:6.1f}  "
                     f"{p.motion_body_heights_per_s:6.2f}  {p.leg_periodicity:5.2f}{mark}")
    return "\n".join(lines)
