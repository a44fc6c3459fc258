"""Linking each frame's poses into identities, frame after frame (the people pass and live).

A Hungarian assignment (scipy's linear_sum_assignment) over box overlap and keypoint distance,
after a constant-velocity prediction of each identity; a person BlazePose found twice in one
frame is kept once.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

from ..core.skeleton import KP, TRUNK_AND_LEG_OF_HEIGHT
from .detector import Detection

__all__ = ["Sighting", "IdentityLinker", "sightings_of"]

_SHOULDERS, _HIPS = [KP["left_shoulder"], KP["right_shoulder"]], [KP["left_hip"], KP["right_hip"]]
_KNEES, _ANKLES = [KP["left_knee"], KP["right_knee"]], [KP["left_ankle"], KP["right_ankle"]]


@dataclass(frozen=True)
class Sighting:
    """One person in one frame: 33 keypoints in pixels and their visibility."""

    frame_index: int
    time_s: float
    keypoints_px: np.ndarray  # (33, 2)
    visibility: np.ndarray  # (33,)
    detection: Detection | None = field(default=None, repr=False, compare=False)

    @classmethod
    def of(cls, detection: Detection, frame_index: int, time_s: float, image_size_px: tuple[int, int]) -> Sighting:
        return cls(frame_index, time_s, detection.image_xyz[:, :2] * np.asarray(image_size_px, float),
                   detection.visibility, detection)

    @property
    def box_px(self) -> np.ndarray:
        """(x0, y0, x1, y1) around all 33 keypoints."""
        return np.concatenate([self.keypoints_px.min(axis=0), self.keypoints_px.max(axis=0)])

    @property
    def hip_px(self) -> np.ndarray:
        return self.keypoints_px[_HIPS].mean(axis=0)

    @property
    def height_px(self) -> float:
        """Body height in the image, from trunk and leg lengths (not the box, which arms and
        bending change); at least a tenth of the box's larger side."""
        kp = self.keypoints_px
        trunk = np.linalg.norm(kp[_SHOULDERS].mean(axis=0) - kp[_HIPS].mean(axis=0))
        thigh = np.linalg.norm(kp[_HIPS] - kp[_KNEES], axis=1).mean()
        shank = np.linalg.norm(kp[_KNEES] - kp[_ANKLES], axis=1).mean()
        box = self.box_px
        return float(max((trunk + thigh + shank) / TRUNK_AND_LEG_OF_HEIGHT, 0.1 * max(box[2:] - box[:2]), 1.0))


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    return float(inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter))


def _keypoint_distance(a: np.ndarray, b: np.ndarray, height_px: float) -> float:
    """Median distance between two poses' keypoints, in body heights."""
    return float(np.median(np.linalg.norm(a - b, axis=1)) / height_px)


@dataclass
class _Identity:
    key: int
    sightings: list[Sighting] = field(default_factory=list)
    velocity_px_s: np.ndarray = field(default_factory=lambda: np.zeros(2))

    @property
    def last(self) -> Sighting:
        return self.sightings[-1]

    def height_px(self) -> float:
        return float(np.median([s.height_px for s in self.sightings[-5:]]))

    def add(self, sighting: Sighting) -> None:
        if self.sightings:
            dt_s = sighting.time_s - self.last.time_s
            if 0 < dt_s <= 0.5:
                velocity = (sighting.hip_px - self.last.hip_px) / dt_s
                self.velocity_px_s = 0.5 * self.velocity_px_s + 0.5 * velocity
            else:
                self.velocity_px_s = np.zeros(2)
        self.sightings.append(sighting)


class IdentityLinker:
    """Links each frame's sightings to identities, frame after frame (offline and live).

    Each identity's last pose is moved on at its velocity to the new frame's time; a sighting
    may continue it if its hips are within `gate_body_heights` of there (growing by
    `gate_growth_per_s` while the identity is unseen: someone walking behind a tree keeps
    their pace) and its body height within `max_size_ratio`. Among those, the Hungarian
    assignment minimises (1 - box overlap) + keypoint distance in body heights. An identity
    unseen for more than `max_lost_s` is closed; a later sighting starts a new one. When in
    doubt it splits rather than merges: two people taken for one would hand the subject over.
    """

    def __init__(self, max_lost_s: float = 1.5, gate_body_heights: float = 0.6, gate_growth_per_s: float = 0.5,
                 max_size_ratio: float = 1.5):
        self.max_lost_s = max_lost_s
        self.gate_body_heights = gate_body_heights
        self.gate_growth_per_s = gate_growth_per_s
        self.max_size_ratio = max_size_ratio
        self.identities: list[_Identity] = []

    def open_identities(self, time_s: float) -> list[_Identity]:
        return [ident for ident in self.identities if time_s - ident.last.time_s <= self.max_lost_s]

    def _cost(self, ident: _Identity, sighting: Sighting) -> float:
        dt_s = sighting.time_s - ident.last.time_s
        shift = ident.velocity_px_s * min(dt_s, 1.0)
        height = ident.height_px()
        if not 1 / self.max_size_ratio <= sighting.height_px / height <= self.max_size_ratio:
            return np.inf
        gate = self.gate_body_heights + self.gate_growth_per_s * dt_s
        if np.linalg.norm(sighting.hip_px - ident.last.hip_px - shift) > gate * height:
            return np.inf
        predicted = ident.last.keypoints_px + shift
        box = np.concatenate([predicted.min(axis=0), predicted.max(axis=0)])
        return 1.0 - _iou(box, sighting.box_px) + _keypoint_distance(predicted, sighting.keypoints_px, height)

    def update(self, sightings: list[Sighting]) -> list[int]:
        """Link one frame's sightings (all at the same time); the identity key of each."""
        if not sightings:
            return []
        sightings = list(sightings)
        candidates = self.open_identities(sightings[0].time_s)
        keys = [-1] * len(sightings)
        if candidates:
            cost = np.array([[self._cost(ident, s) for s in sightings] for ident in candidates])
            finite = np.where(np.isfinite(cost), cost, 1e6)
            for row, col in zip(*linear_sum_assignment(finite)):
                if np.isfinite(cost[row, col]):
                    candidates[row].add(sightings[col])
                    keys[col] = candidates[row].key
        for col, sighting in enumerate(sightings):
            if keys[col] < 0:
                ident = _Identity(len(self.identities))
                ident.add(sighting)
                self.identities.append(ident)
                keys[col] = ident.key
        return keys


def _same_person(a: Sighting, b: Sighting, max_body_heights: float = 0.15, max_size_ratio: float = 1.2) -> bool:
    """Two poses of one person (BlazePose sometimes tracks someone twice): the same size, keypoints together."""
    return (max(a.height_px, b.height_px) / min(a.height_px, b.height_px) <= max_size_ratio
            and _keypoint_distance(a.keypoints_px, b.keypoints_px, b.height_px) <= max_body_heights)


def sightings_of(detections: list[Detection], frame_index: int, time_s: float,
                 image_size_px: tuple[int, int]) -> list[Sighting]:
    """The frame's detections as sightings, a person found twice kept once (the better seen)."""
    found = sorted((Sighting.of(d, frame_index, time_s, image_size_px) for d in detections),
                   key=lambda s: -float(s.visibility.mean()))
    kept: list[Sighting] = []
    for sighting in found:
        if not any(_same_person(sighting, k) for k in kept):
            kept.append(sighting)
    return kept
