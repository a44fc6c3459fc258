"""Where the fit starts: the person's proportions from the clip's metric landmarks, and each
frame's pose aimed at 3D keypoints (today's lifted ones) joint by joint in the body's degrees
of freedom: ball joints from the segment frames, knee and elbow flexion from the limb's bend
(its plane sets the hip's and shoulder's twist; the foot's or the chest's when the limb is
straight), the ankle's two angles from the heel-toe line."""
from __future__ import annotations

import numpy as np

from ..skeleton import KP
from ..vectors import cross, frame, reject, unit
from .body import BodyShape, Pose, rot_x as _rot_x

__all__ = ["shape_from_landmarks", "pose_from_keypoints"]


def _p(points: np.ndarray, name: str) -> np.ndarray:
    return points[:, KP[name]]


def _mid(points: np.ndarray, a: str, b: str) -> np.ndarray:
    return 0.5 * (_p(points, a) + _p(points, b))


def head_frame(points: np.ndarray) -> np.ndarray:
    """x from the right ear to the left, y from the shoulders' middle to the ears'."""
    neck = _mid(points, "left_shoulder", "right_shoulder")
    return frame(_mid(points, "left_ear", "right_ear") - neck, _p(points, "left_ear") - _p(points, "right_ear"))


def hand_frame(points: np.ndarray, side: str) -> np.ndarray:
    """y up the hand (to the wrist from the knuckles, as the forearm's y points up it), z from the
    pinky to the index. The same right-handed frame on both hands makes the right hand's offsets
    the left's mirrored in x, as the body shares them."""
    knuckles = _mid(points, f"{side}_index", f"{side}_pinky")
    sideways = _p(points, f"{side}_index") - _p(points, f"{side}_pinky")
    y = unit(_p(points, f"{side}_wrist") - knuckles)
    z = unit(reject(sideways, y))
    return np.stack([cross(y, z), y, z], axis=-1)


def foot_frame(points: np.ndarray, side: str) -> np.ndarray:
    """z along the sole (heel to toe), y up from it towards the ankle."""
    heel, toe, ankle = (_p(points, f"{side}_{p}") for p in ("heel", "foot_index", "ankle"))
    z = unit(toe - heel)
    y = unit(reject(ankle - heel, z))
    return np.stack([cross(y, z), y, z], axis=-1)


def _robust_length(a: np.ndarray, b: np.ndarray, parallel_share: float = 0.25) -> float:
    """A segment's length from metric points (N, 3) at its ends, in the frames where it lies
    most nearly across the line of sight (the share `parallel_share` with the least depth
    along it): a 3D guess that compresses depth shortens a segment only as it turns toward
    the camera."""
    d = a - b
    d = d[np.isfinite(d).all(axis=1)]
    if not len(d):
        return float("nan")
    length = np.linalg.norm(d, axis=1)
    depth_share = np.abs(d[:, 2]) / np.maximum(length, 1e-9)
    across = depth_share <= np.quantile(depth_share, parallel_share)
    return float(np.median(length[across]))


def _both(points: np.ndarray, a: str, b: str) -> float:
    return float(np.nanmean([_robust_length(_p(points, f"{s}_{a}"), _p(points, f"{s}_{b}")) for s in ("left", "right")]))


def _offsets(frames: np.ndarray, origin: np.ndarray, points: np.ndarray) -> np.ndarray:
    """(K, 3) median of points (N, K, 3) in frames (N, 3, 3) at origin (N, 3)."""
    local = np.einsum("nji,nkj->nki", frames, points - origin[:, None])
    return np.nanmedian(local, axis=0)


_LIMBS = {"thigh_m": ("hip", "knee"), "shank_m": ("knee", "ankle"), "upper_arm_m": ("shoulder", "elbow"),
          "forearm_m": ("elbow", "wrist")}


def _foot_scale(points_m: np.ndarray, lifted_m: np.ndarray) -> float:
    """How much larger the foot is in the image than in the metric keypoints, against the shank:
    BlazePose's 3D guess shrinks the foot (its sole is 0.7 of the image's, its heel as much
    nearer the ankle), and a foot too small holds a planted ankle too low, the knee straight."""
    def sole_to_shank(points: np.ndarray) -> float:
        return _both(points, "heel", "foot_index") / _both(points, "knee", "ankle")
    return sole_to_shank(lifted_m) / sole_to_shank(points_m)


def shape_from_landmarks(points_m: np.ndarray, lifted_m: np.ndarray | None = None) -> BodyShape:
    """A person's proportions from metric keypoints (N, 33, 3) in camera axes: each length where
    its segment lies across the line of sight (_robust_length), both sides alike; the face,
    hand and foot points as medians in their segment's frame, the foot's scaled to its length
    and, given the lifted keypoints (lifting.py), to the image's foot (_foot_scale)."""
    mirror = np.array([-1.0, 1.0, 1.0])
    hands = [_offsets(hand_frame(points_m, side), _p(points_m, f"{side}_wrist"),
                      points_m[:, [KP[f"{side}_{q}"] for q in ("pinky", "index", "thumb")]]) * flip
             for side, flip in (("left", np.ones(3)), ("right", mirror))]
    sole = _both(points_m, "heel", "foot_index")
    feet = [_offsets(foot_frame(points_m, side), _p(points_m, f"{side}_ankle"),
                     points_m[:, [KP[f"{side}_heel"], KP[f"{side}_foot_index"]]]) for side in ("left", "right")]
    heel, toe = 0.5 * (feet[0] + feet[1])
    if lifted_m is not None:
        scale = _foot_scale(points_m, lifted_m)
        heel, toe, sole = heel * scale, toe * scale, sole * scale
    height = max(float(-0.5 * (heel[1] + toe[1])), 0.01)
    behind = -sole * heel[2] / (heel[2] - toe[2]) if toe[2] > heel[2] else -0.25 * sole  # the heel's z, < 0
    neck = _mid(points_m, "left_shoulder", "right_shoulder")
    return BodyShape(
        hip_width_m=_robust_length(_p(points_m, "left_hip"), _p(points_m, "right_hip")),
        shoulder_width_m=_robust_length(_p(points_m, "left_shoulder"), _p(points_m, "right_shoulder")),
        torso_m=_robust_length(_mid(points_m, "left_hip", "right_hip"), neck),
        **{name: _both(points_m, a, b) for name, (a, b) in _LIMBS.items()},
        face_m=_offsets(head_frame(points_m), neck, points_m[:, :11]),
        hand_m=0.5 * (hands[0] + hands[1]),
        foot_m=np.array([[0.0, -height, behind], [0.0, -height, sole + behind]]),
    )


def _limb(parent: np.ndarray, start: np.ndarray, middle: np.ndarray, end: np.ndarray, fallback_z: np.ndarray,
          bend_forward: bool) -> tuple[np.ndarray, np.ndarray]:
    """The limb's first joint rotation (relative to `parent`) and the hinge's flexion: y up the
    first segment, z the side the second bends towards (back for a knee, forward for an elbow),
    or `fallback_z` where the limb is nearly straight."""
    upper, lower = unit(middle - start), unit(end - middle)
    bent = reject(lower, upper)
    bend = np.linalg.norm(bent, axis=-1, keepdims=True)
    toward = bent if bend_forward else -bent
    fallback = reject(fallback_z, upper)
    z = unit(toward + 0.3 * unit(fallback) * np.clip(1 - bend / 0.3, 0, 1))
    frame = np.stack([cross(-upper, z), -upper, z], axis=-1)
    sign = 1.0 if bend_forward else -1.0
    flexion = np.arctan2(sign * np.sum(lower * z, axis=-1), np.sum(lower * upper, axis=-1))
    return np.swapaxes(parent, 1, 2) @ frame, flexion


def _ankle_angles(shank_frame: np.ndarray, foot: np.ndarray) -> np.ndarray:
    """(N, 2) angles a, b with foot = shank R_x(a) R_z(b)."""
    m = np.swapaxes(shank_frame, 1, 2) @ foot
    return np.stack([np.arctan2(-m[:, 1, 2], m[:, 2, 2]), np.arctan2(-m[:, 0, 1], m[:, 0, 0])], axis=-1)


def pose_from_keypoints(points: np.ndarray) -> Pose:
    """The body's pose (camera axes) nearest 3D keypoints (N, 33, 3), joint by joint."""
    mid_hip = _mid(points, "left_hip", "right_hip")
    spine = _mid(points, "left_shoulder", "right_shoulder") - mid_hip
    root = frame(spine, _p(points, "left_hip") - _p(points, "right_hip"))
    chest = frame(spine, _p(points, "left_shoulder") - _p(points, "right_shoulder"))
    rotations = {"root": root, "chest": np.swapaxes(root, 1, 2) @ chest,
                 "neck": np.swapaxes(chest, 1, 2) @ head_frame(points)}
    angles = {}
    for side, s in (("left", "L"), ("right", "R")):
        foot = foot_frame(points, side)
        hip, knee = _limb(root, _p(points, f"{side}_hip"), _p(points, f"{side}_knee"), _p(points, f"{side}_ankle"),
                          foot[:, :, 2], bend_forward=False)
        rotations[f"hip.{s}"], angles[f"knee.{s}"] = hip, knee
        shank = root @ hip @ _rot_x(knee)
        angles[f"ankle.{s}"] = _ankle_angles(shank, foot)
        hand = hand_frame(points, side)
        shoulder, elbow = _limb(chest, _p(points, f"{side}_shoulder"), _p(points, f"{side}_elbow"),
                                _p(points, f"{side}_wrist"), chest[:, :, 2], bend_forward=True)
        rotations[f"shoulder.{s}"], angles[f"elbow.{s}"] = shoulder, elbow
        forearm = chest @ shoulder @ _rot_x(-elbow)
        rotations[f"wrist.{s}"] = np.swapaxes(forearm, 1, 2) @ hand
    return Pose(mid_hip.copy(), rotations, angles).clamped()
