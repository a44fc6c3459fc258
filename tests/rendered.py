"""The rendered walks' exact truth (../shared/fixtures/synthetic, see its README) and what a
solve is measured by against it, for any view: sagittal angles in the plane of the solve's own
walking direction, pelvis speed, walking direction against the camera, the ball's path during
the truth's inner stances."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ras_mocap.core.filters import valid_runs
from tests.conftest import SHARED

SHARED_VIEWS = ("side", "front", "away")
"""The shared fixtures' three views."""
VIEWS = (*SHARED_VIEWS, "behind", "oblique")
"""With tests/data/rendered's walks from behind and at 45 deg (its README)."""
SIDES = ("L", "R")


def _folder(view: str, motion: str) -> Path:
    shared = motion == "walk" and view in SHARED_VIEWS
    return SHARED / "fixtures" / "synthetic" if shared else Path(__file__).parent / "data" / "rendered"


def rendered_video(view: str, motion: str = "walk") -> Path:
    """The rendered `motion` (walk, or tests/data/rendered's jog) seen from `view`."""
    return _folder(view, motion) / f"{motion}_{view}.mp4"


def rendered_truth(view: str, motion: str = "walk") -> dict[str, np.ndarray]:
    with np.load(_folder(view, motion) / f"{motion}_{view}_truth.npz", allow_pickle=True) as data:
        return {k: data[k] for k in data.files if not k.endswith("json")}


@dataclass(frozen=True)
class RigWalk:
    """What a solve produced, in its own world (metres, z up): joints by body part (head, tail
    of the thigh, shin, foot, toe and upper arm bones, (N, 3) each) and how that world sits in
    the camera: world_to_camera (3, 3) rotates its axes into the camera's (x right, y down, z forward)."""

    joints: dict[str, tuple[np.ndarray, np.ndarray]]
    world_to_camera: np.ndarray
    time_s: np.ndarray


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def _sagittal_deg(vector: np.ndarray, forward: np.ndarray) -> np.ndarray:
    """A segment's angle from straight down in the plane of `forward` and up, + = ahead."""
    return np.degrees(np.arctan2(vector @ forward, -vector[:, 2]))


def walking_direction(pelvis_m: np.ndarray) -> np.ndarray:
    """Horizontal unit direction of the pelvis's travel (first to last frame)."""
    travel = pelvis_m[-1] - pelvis_m[0]
    return _unit(np.array([travel[0], travel[1], 0.0]))


def figures(walk: RigWalk, truth: dict[str, np.ndarray], rest_ankle_deg: dict[str, float]) -> dict[str, float]:
    """RMSE (deg) of knee, hip and ankle flexion per side against the truth minus its rest pose;
    pelvis speed error (fraction); walking direction error (deg, in the camera's ground plane);
    the ball's mean path per inner stance (cm, scaled by the truth's leg over the rig's) and the
    truth's own. `rest_ankle_deg`: the rig's ankle dorsiflexion at rest, per side."""
    joints = walk.joints
    pelvis = 0.5 * (joints["thigh.L"][0] + joints["thigh.R"][0])
    forward = walking_direction(pelvis)
    shoulders = 0.5 * (joints["upper_arm.L"][0] + joints["upper_arm.R"][0])
    trunk = _sagittal_deg(pelvis - shoulders, forward)
    out: dict[str, float] = {}
    for column, s in enumerate(SIDES):
        thigh = _sagittal_deg(joints[f"thigh.{s}"][1] - joints[f"thigh.{s}"][0], forward)
        shank = _sagittal_deg(joints[f"shin.{s}"][1] - joints[f"shin.{s}"][0], forward)
        foot = _sagittal_deg(joints[f"toe.{s}"][1] - joints[f"foot.{s}"][0], forward)
        ours = {"knee": thigh - shank, "hip": thigh - trunk, "ankle": foot - shank - 90.0 - rest_ankle_deg[s]}
        for angle, key in (("knee", "knee_flexion_sagittal_deg"), ("hip", "hip_flexion_deg"),
                           ("ankle", "ankle_dorsiflexion_deg")):
            relative = truth[key][:, column] - truth[f"rest_pose_{key}"][column]
            out[f"{angle}.{s}"] = float(np.sqrt(np.nanmean((ours[angle] - relative) ** 2)))
    horizontal = pelvis[-1, :2] - pelvis[0, :2]
    speed = np.linalg.norm(horizontal) / (walk.time_s[-1] - walk.time_s[0])
    out["speed_error"] = float(speed / float(truth["walking_speed_m_s"]) - 1)
    out["direction_error_deg"] = _direction_error_deg(forward, walk.world_to_camera, truth)
    out |= _ball_paths_cm(walk, truth)
    return out


def _direction_error_deg(forward: np.ndarray, world_to_camera: np.ndarray, truth: dict) -> float:
    """Angle between the solve's walking direction and the truth's, both in camera axes and
    projected on the truth's ground plane (its up in camera axes)."""
    up = truth["camera_R"] @ np.array([0.0, 0.0, 1.0])
    ours, theirs = world_to_camera @ forward, truth["camera_R"] @ truth["walk_direction_world"]
    ours, theirs = (_unit(v - (v @ up) * up) for v in (ours, theirs))
    return float(np.degrees(np.arccos(np.clip(ours @ theirs, -1.0, 1.0))))


def truth_leg_m(truth: dict) -> float:
    """The truth's hip-knee-ankle length (left leg, metres)."""
    names, joints = list(truth["joint_names"]), truth["joints_world_m"][0]
    hip, knee, ankle = (joints[names.index(f"{name}_l")] for name in ("hip", "knee", "ankle"))
    return float(np.linalg.norm(hip - knee) + np.linalg.norm(knee - ankle))


def _ball_paths_cm(walk: RigWalk, truth: dict) -> dict[str, float]:
    names = list(truth["joint_names"])
    truth_leg = truth_leg_m(truth)
    thigh, shin = walk.joints["thigh.L"], walk.joints["shin.L"]
    rig_leg = np.median(np.linalg.norm(thigh[1] - thigh[0], axis=-1) + np.linalg.norm(shin[1] - shin[0], axis=-1))
    ours, theirs = [], []
    for column, (s, t) in enumerate(zip(SIDES, ("l", "r"))):
        ball = walk.joints[f"toe.{s}"][0][:, :2] * truth_leg / rig_leg
        true_ball = truth["joints_world_m"][:, names.index(f"ball_{t}"), :2]
        for start, stop in valid_runs(truth["contact"][:, column]):
            if start > 0 and stop < len(truth["contact"]):
                ours.append(np.linalg.norm(np.diff(ball[start:stop], axis=0), axis=1).sum())
                theirs.append(np.linalg.norm(np.diff(true_ball[start:stop], axis=0), axis=1).sum())
    return {"ball_path_cm": 100 * float(np.mean(ours)), "truth_ball_path_cm": 100 * float(np.mean(theirs))}


def rest_ankle_deg(bones) -> dict[str, float]:
    """The rig's ankle dorsiflexion at rest (ankle -> toe tip against the shank; it faces -y), per side."""
    by_name = {b.name: b for b in bones}
    out = {}
    for s in SIDES:
        toe, ankle = by_name[f"toe.{s}"], by_name[f"foot.{s}"]
        foot = toe.head_m + toe.matrix[:, 1] * toe.length_m - ankle.head_m
        out[s] = float(np.degrees(np.arctan2(-foot[1], -foot[2]))) - 90.0
    return out
