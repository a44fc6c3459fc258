"""Landmarks lifted to 3D: the image positions back-projected at the 3D network's depth.

BlazePose places points more accurately in the image than in its metric 3D guess, so each
keypoint keeps its image position and takes only its depth from the world landmarks; the arms
keep the network's 3D shape (a forearm pointing at the camera is short in the image, and a 2D
error there turns it by tens of degrees). The starting point of the whole-clip fit, which also
starts from the same keypoints with the legs on their image rays at the body's lengths
(legs_on_rays), where the network's depth leaves a foreshortened thigh or shank too short.
"""
from __future__ import annotations

import numpy as np

from .filters import viterbi_path
from .rootmotion import focal_px_for, hip_path_camera_m
from .skeleton import KP, mediapipe_to_blender
from .vectors import cross, unit

__all__ = ["lifted_keypoints", "legs_on_rays", "pose_points"]


def _lift_image_landmarks(
    world_xyz_m: np.ndarray,
    image_xy_px: np.ndarray,
    hip_camera_m: np.ndarray,
    image_size_px: tuple[int, int],
    focal_px: float | None = None,
) -> np.ndarray:
    """Hip-centred landmarks (N, K, 3) whose image-plane positions come from the 2D landmarks
    (back-projected at the world landmarks' depth) and only the depth from the 3D network:
    BlazePose places points more accurately in the image than in its metric 3D guess."""
    f = focal_px or focal_px_for(image_size_px)
    centre = np.asarray(image_size_px, float) / 2
    depth = world_xyz_m[..., 2:3] + hip_camera_m[:, None, 2:3]
    in_plane = (image_xy_px - centre) * depth / f - hip_camera_m[:, None, :2]
    return np.concatenate([in_plane, world_xyz_m[..., 2:3]], axis=-1)


_ARMS = {side: [KP[f"{side}_{p}"] for p in ("elbow", "wrist", "pinky", "index", "thumb")] for side in ("left", "right")}


def _keep_world_arms(lifted: np.ndarray, world_xyz_m: np.ndarray) -> np.ndarray:
    """Arms as the 3D network sees them, hung from the lifted shoulders: a forearm pointing at
    the camera is short in the image, and a 2D error there turns it by tens of degrees."""
    out = lifted.copy()
    for side, points in _ARMS.items():
        shoulder = KP[f"{side}_shoulder"]
        out[:, points] = lifted[:, shoulder, None] + world_xyz_m[:, points] - world_xyz_m[:, shoulder, None]
    return out


def lifted_keypoints(world_xyz_m: np.ndarray, image_xy_px: np.ndarray, image_size_px: tuple[int, int],
                     focal_px: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Hip-centred lifted keypoints (N, 33, 3) in camera axes, and the hips' camera-space path (N, 3)."""
    hip_camera_m = hip_path_camera_m(world_xyz_m, image_xy_px, image_size_px, focal_px)
    lifted = _lift_image_landmarks(world_xyz_m, image_xy_px, hip_camera_m, image_size_px, focal_px)
    return _keep_world_arms(lifted, world_xyz_m), hip_camera_m


def pose_points(
    world_xyz_m: np.ndarray, image_xy_px: np.ndarray, image_size_px: tuple[int, int], focal_px: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The lifted keypoints (N, 33, 3) hip-centred in Blender axes, and the hip's camera-space path (N, 3)."""
    lifted, hip_camera_m = lifted_keypoints(world_xyz_m, image_xy_px, image_size_px, focal_px)
    return mediapipe_to_blender(lifted), hip_camera_m


WORLD_DEPTH_SIGMA_M = 0.15
"""How far a joint's depth from its parent's may differ from the world landmarks' at a cost of
1/2 (legs_on_rays): they break near-ties between a leg's depth signs, no more."""
LENGTH_SIGMA_M = 0.03
"""How much shorter than the body's a lifted thigh or shank may be at a cost of 1/2: the noise of
a length between two points each off by 1% of body height. Beyond it the segment's foreshortening
in the image is real, and the network's depth does not account for it. (A lifted segment longer
than the body's says the body's length is short, not which way the segment points: no cost.)"""
LEG_MOVE_SIGMA_M = 0.1
"""How far a knee or ankle moves about its hip from one frame to the next (30 fps) at a cost of
1/2: a walk's swing ankle moves up to ~0.13 m a frame."""
HYPEREXTENSION_DEG = 5.0
"""A knee bent the wrong way beyond this costs more with every 2 deg (the hinge's limit)."""


def _choices(origin: np.ndarray, lifted_step: np.ndarray, ray: np.ndarray, length_m: float) -> tuple[np.ndarray, np.ndarray]:
    """(N, 3, 3) where a joint may be on its image ray (N, 3), from its parent at `origin` (N, 3):
    at the lifted step's depth from the parent, or at `length_m` from the parent, far or near (where
    the ray passes farther than that, its nearest point); and (N, 3) what each costs for its
    length (the lifted step's if shorter than the body's, the ray's none)."""
    along = np.sum(ray * origin, axis=-1)
    reach = np.sqrt(np.maximum(along**2 - np.sum(origin**2, axis=-1) + length_m**2, 0.0))
    as_lifted = ray * ((origin[:, 2] + lifted_step[:, 2]) / ray[:, 2])[:, None]  # the lifted depth step, on the ray
    points = np.stack([as_lifted, (along + reach)[:, None] * ray, (along - reach)[:, None] * ray], axis=1)
    short = np.maximum(length_m - np.linalg.norm(as_lifted - origin, axis=-1), 0.0) / LENGTH_SIGMA_M  # foreshortened
    return points, np.stack([0.5 * short**2, np.zeros_like(short), np.zeros_like(short)], axis=-1)


def legs_on_rays(points_m: np.ndarray, world_xyz_m: np.ndarray, image_xy_px: np.ndarray, image_size_px: tuple[int, int],
                 focal_px: float, thigh_m: float, shank_m: float, fps: float) -> np.ndarray:
    """Camera-space lifted keypoints (N, 33, 3) with each knee and ankle where the body's fixed
    lengths put it: as lifted if the lifted thigh and shank have the body's lengths, else on the
    image ray at that length from the joint above, nearer or farther, chosen over the clip (a
    knee bent no more than HYPEREXTENSION_DEG the wrong way, near the world landmarks' depth
    steps, moving smoothly: Viterbi over the nine choices a leg has). The network's 3D guess sets
    which way a foreshortened segment points otherwise, and seen from behind it straightens a
    swinging knee whose shank points at the camera; the fit cannot turn a straight knee out of it
    (there the image moves only with the square of the bend)."""
    out = points_m.copy()
    centre = np.asarray(image_size_px, float) / 2
    rays = unit(np.concatenate([(image_xy_px - centre) / focal_px, np.ones(image_xy_px.shape[:2] + (1,))], axis=-1))
    mid_hip = 0.5 * (points_m[:, KP["left_hip"]] + points_m[:, KP["right_hip"]])
    spine = 0.5 * (points_m[:, KP["left_shoulder"]] + points_m[:, KP["right_shoulder"]]) - mid_hip
    forward = unit(cross(points_m[:, KP["left_hip"]] - points_m[:, KP["right_hip"]], spine))
    move_sigma = LEG_MOVE_SIGMA_M * 30.0 / fps
    n = len(points_m)
    for side in ("left", "right"):
        hip_i, knee_i, ankle_i = (KP[f"{side}_{p}"] for p in ("hip", "knee", "ankle"))
        hip = points_m[:, hip_i]
        knees, knee_cost = _choices(hip, points_m[:, knee_i] - hip, rays[:, knee_i], thigh_m)
        shank_step = points_m[:, ankle_i] - points_m[:, knee_i]
        pairs = [_choices(knees[:, i], shank_step, rays[:, ankle_i], shank_m) for i in range(3)]
        ankles = np.concatenate([p for p, _ in pairs], axis=1)  # (N, 9, 3): choice 3 i + j
        knees = np.repeat(knees, 3, axis=1)
        cost = np.repeat(knee_cost, 3, axis=1) + np.concatenate([c for _, c in pairs], axis=1)
        thigh, shank = unit(knees - hip[:, None]), unit(ankles - knees)
        bend_deg = np.degrees(np.arccos(np.clip(np.sum(thigh * shank, axis=-1), -1.0, 1.0)))
        backward = np.sum((thigh - shank) * forward[:, None], axis=-1) >= 0  # the shank turned back: a knee's way
        wrong_way_deg = np.where(backward, 0.0, bend_deg)
        cost += 0.5 * (np.maximum(wrong_way_deg - HYPEREXTENSION_DEG, 0.0) / 2.0) ** 2
        for joint, parent, (a, b) in ((knees, hip[:, None], (knee_i, hip_i)), (ankles, knees, (ankle_i, knee_i))):
            step_m = world_xyz_m[:, a, 2] - world_xyz_m[:, b, 2]
            cost += 0.5 * ((joint[..., 2] - parent[..., 2] - step_m[:, None]) / WORLD_DEPTH_SIGMA_M) ** 2
        about_hip = np.concatenate([knees, ankles], axis=-1) - np.tile(hip, 2)[:, None]  # (N, 9, 6)
        moves = 0.5 * np.sum((about_hip[:-1, :, None] - about_hip[1:, None]) ** 2, axis=-1) / move_sigma**2
        choice = viterbi_path(cost, moves)
        rows = np.arange(n)
        shift = ankles[rows, choice] - points_m[:, ankle_i]
        out[:, knee_i], out[:, ankle_i] = knees[rows, choice], ankles[rows, choice]
        for part in ("heel", "foot_index"):
            out[:, KP[f"{side}_{part}"]] += shift
    return out
