"""The body the whole-clip fit moves: fixed segment lengths, hinge knees and elbows, two-axis
ankles, ball hips, shoulders, wrists, chest and neck; its forward kinematics to the 33 BlazePose
keypoints in camera space, and their Jacobian with respect to a step of the pose.

Body frame at rest: x the subject's left, y up, z forward; standing straight, arms hanging,
feet flat. A pose is the root's camera-space position and orientation, and each joint's
rotation relative to its parent: ball joints as matrices (a step turns them on the right,
R Exp(delta)), hinges and the ankle's two axes as angles (knee and elbow flexion +).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
from scipy.spatial.transform import Rotation

from ..skeleton import HIP_TO_ANKLE_OF_HEIGHT, KP, N_KEYPOINTS
from ..vectors import cross

__all__ = ["BodyShape", "Pose", "JOINTS", "N_PARAMS", "PARAM_SLICES", "LENGTHS", "Kinematics", "forward", "rot_x"]

_X, _Z = np.array([1.0, 0.0, 0.0]), np.array([0.0, 0.0, 1.0])


@dataclass(frozen=True)
class _JointDef:
    name: str
    parent: str | None
    kind: str  # "root" (position + ball), "ball", "knee" / "elbow" (one angle about x), "ankle" (about x, then z)


JOINTS: tuple[_JointDef, ...] = (
    _JointDef("root", None, "root"),
    _JointDef("chest", "root", "ball"),
    _JointDef("neck", "chest", "ball"),
    *(j for s in ("L", "R") for j in (
        _JointDef(f"hip.{s}", "root", "ball"), _JointDef(f"knee.{s}", f"hip.{s}", "knee"),
        _JointDef(f"ankle.{s}", f"knee.{s}", "ankle"))),
    *(j for s in ("L", "R") for j in (
        _JointDef(f"shoulder.{s}", "chest", "ball"), _JointDef(f"elbow.{s}", f"shoulder.{s}", "elbow"),
        _JointDef(f"wrist.{s}", f"elbow.{s}", "ball"))),
)
_SIZES = {"root": 6, "ball": 3, "knee": 1, "elbow": 1, "ankle": 2}


def _slices() -> dict[str, slice]:
    out, start = {}, 0
    for joint in JOINTS:
        out[joint.name] = slice(start, start + _SIZES[joint.kind])
        start += _SIZES[joint.kind]
    return out


PARAM_SLICES: dict[str, slice] = _slices()
"""Each joint's columns in a frame's step vector (the root: position, then rotation)."""
N_PARAMS = sum(_SIZES[j.kind] for j in JOINTS)

LENGTHS = ("hip_width_m", "shoulder_width_m", "torso_m", "thigh_m", "shank_m", "upper_arm_m", "forearm_m", "foot_m")
"""The proportions the fit may rescale (the foot's heel and toe points together)."""

HINGE_LIMITS_DEG = {"knee": (-5.0, 160.0), "elbow": (-5.0, 160.0)}
ANKLE_LIMITS_DEG = ((-50.0, 35.0), (-35.0, 35.0))  # dorsiflexion +, inversion


@dataclass(frozen=True)
class BodyShape:
    """One person's fixed proportions, metres: segment lengths, and the face, hand and foot points
    in their segment's frame (left side; the right is its mirror image in x)."""

    hip_width_m: float
    shoulder_width_m: float
    torso_m: float  # mid-hip to mid-shoulder
    thigh_m: float
    shank_m: float
    upper_arm_m: float
    forearm_m: float
    face_m: np.ndarray = field(repr=False)  # (11, 3): keypoints 0-10 from the neck base, head frame
    hand_m: np.ndarray = field(repr=False)  # (3, 3): pinky, index, thumb from the wrist, hand frame
    foot_m: np.ndarray = field(repr=False)  # (2, 3): heel, toe tip from the ankle, foot frame

    def scaled(self, factor: float) -> BodyShape:
        return replace(self, **{name: getattr(self, name) * factor for name in LENGTHS + ("face_m", "hand_m")})

    def rescaled(self, log_scales: np.ndarray) -> BodyShape:
        """Each of LENGTHS times exp(its log scale)."""
        return replace(self, **{name: getattr(self, name) * float(np.exp(g)) for name, g in zip(LENGTHS, log_scales)})

    @property
    def leg_m(self) -> float:
        return self.thigh_m + self.shank_m

    @property
    def height_m(self) -> float:
        """The body height these legs make (Winter's proportions)."""
        return self.leg_m / HIP_TO_ANKLE_OF_HEIGHT

    @property
    def ball_fraction(self) -> float:
        """Where the ball of the foot lies from heel to toe tip: under 0.7 of the way from the
        ankle to the toe tip, as the rig places it (rig_spec.rest_pose)."""
        heel_z, toe_z = self.foot_m[0, 2], self.foot_m[1, 2]
        return float((0.7 * toe_z - heel_z) / (toe_z - heel_z))

    def offsets(self) -> dict[str, np.ndarray]:
        """Each joint's origin in its parent's frame (root: none)."""
        out = {"chest": np.zeros(3), "neck": np.array([0.0, self.torso_m, 0.0])}
        for s, sign in (("L", 1.0), ("R", -1.0)):
            out |= {
                f"hip.{s}": np.array([sign * self.hip_width_m / 2, 0.0, 0.0]),
                f"knee.{s}": np.array([0.0, -self.thigh_m, 0.0]),
                f"ankle.{s}": np.array([0.0, -self.shank_m, 0.0]),
                f"shoulder.{s}": np.array([sign * self.shoulder_width_m / 2, self.torso_m, 0.0]),
                f"elbow.{s}": np.array([0.0, -self.upper_arm_m, 0.0]),
                f"wrist.{s}": np.array([0.0, -self.forearm_m, 0.0]),
            }
        return out

    def offset_scales(self) -> dict[str, np.ndarray]:
        """d(offset)/d(log scale of each of LENGTHS), (3, len(LENGTHS)), for each joint's offset."""
        col = {name: i for i, name in enumerate(LENGTHS)}
        out = {name: np.zeros((3, len(LENGTHS))) for name in self.offsets()}
        out["neck"][1, col["torso_m"]] = self.torso_m
        for s, sign in (("L", 1.0), ("R", -1.0)):
            out[f"hip.{s}"][0, col["hip_width_m"]] = sign * self.hip_width_m / 2
            out[f"knee.{s}"][1, col["thigh_m"]] = -self.thigh_m
            out[f"ankle.{s}"][1, col["shank_m"]] = -self.shank_m
            out[f"shoulder.{s}"][0, col["shoulder_width_m"]] = sign * self.shoulder_width_m / 2
            out[f"shoulder.{s}"][1, col["torso_m"]] = self.torso_m
            out[f"elbow.{s}"][1, col["upper_arm_m"]] = -self.upper_arm_m
            out[f"wrist.{s}"][1, col["forearm_m"]] = -self.forearm_m
        return out

    def keypoint_attachments(self) -> list[tuple[str, np.ndarray | None]]:
        """For each of the 33 keypoints: the joint whose frame carries it and its offset there
        (None: the joint's own origin)."""
        mirror = np.array([-1.0, 1.0, 1.0])
        out: list[tuple[str, np.ndarray | None]] = [("neck", self.face_m[i]) for i in range(11)]
        out += [None] * (N_KEYPOINTS - 11)
        for side, s, flip in (("left", "L", np.ones(3)), ("right", "R", mirror)):
            out[KP[f"{side}_shoulder"]] = (f"shoulder.{s}", None)
            out[KP[f"{side}_elbow"]] = (f"elbow.{s}", None)
            out[KP[f"{side}_wrist"]] = (f"wrist.{s}", None)
            for i, point in enumerate(("pinky", "index", "thumb")):
                out[KP[f"{side}_{point}"]] = (f"wrist.{s}", self.hand_m[i] * flip)
            out[KP[f"{side}_hip"]] = (f"hip.{s}", None)
            out[KP[f"{side}_knee"]] = (f"knee.{s}", None)
            out[KP[f"{side}_ankle"]] = (f"ankle.{s}", None)
            out[KP[f"{side}_heel"]] = (f"ankle.{s}", self.foot_m[0] * flip)
            out[KP[f"{side}_foot_index"]] = (f"ankle.{s}", self.foot_m[1] * flip)
        return out


@dataclass
class Pose:
    """A pose per frame: root position (N, 3) in camera axes, ball-joint rotations (N, 3, 3)
    (the root's: body frame -> camera axes; the others: relative to the parent), hinge and
    ankle angles (N,) and (N, 2) in radians."""

    root_m: np.ndarray
    rotations: dict[str, np.ndarray]
    angles: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.root_m)

    @staticmethod
    def concatenate(poses: list[Pose]) -> Pose:
        return Pose(np.concatenate([p.root_m for p in poses]),
                    {k: np.concatenate([p.rotations[k] for p in poses]) for k in poses[0].rotations},
                    {k: np.concatenate([p.angles[k] for p in poses]) for k in poses[0].angles})

    def rows(self, start: int, stop: int) -> Pose:
        """The frames start..stop-1 (a copy)."""
        return Pose(self.root_m[start:stop].copy(), {k: v[start:stop].copy() for k, v in self.rotations.items()},
                    {k: v[start:stop].copy() for k, v in self.angles.items()})

    def copy(self) -> Pose:
        return Pose(self.root_m.copy(), {k: v.copy() for k, v in self.rotations.items()},
                    {k: v.copy() for k, v in self.angles.items()})

    def stepped(self, step: np.ndarray) -> Pose:
        """The pose moved by a step (N, N_PARAMS): positions and angles added, rotations turned
        on the right by the rotation vectors."""
        out = self.copy()
        out.root_m += step[:, 0:3]
        for joint in JOINTS:
            cols = step[:, PARAM_SLICES[joint.name]]
            if joint.kind in ("root", "ball"):
                delta = cols[:, 3:6] if joint.kind == "root" else cols
                out.rotations[joint.name] = out.rotations[joint.name] @ Rotation.from_rotvec(delta).as_matrix()
            else:
                out.angles[joint.name] = out.angles[joint.name] + (cols[:, 0] if joint.kind != "ankle" else cols)
        return out

    def clamped(self) -> Pose:
        """Hinge and ankle angles held within their joint limits."""
        out = self.copy()
        for joint in JOINTS:
            if joint.kind in HINGE_LIMITS_DEG:
                low, high = np.radians(HINGE_LIMITS_DEG[joint.kind])
                out.angles[joint.name] = np.clip(out.angles[joint.name], low, high)
            elif joint.kind == "ankle":
                limits = np.radians(ANKLE_LIMITS_DEG)
                out.angles[joint.name] = np.clip(out.angles[joint.name], limits[:, 0], limits[:, 1])
        return out


def rot_x(angle: np.ndarray) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    out = np.zeros(angle.shape + (3, 3))
    out[..., 0, 0] = 1.0
    out[..., 1, 1], out[..., 1, 2], out[..., 2, 1], out[..., 2, 2] = c, -s, s, c
    return out


def _rot_z(angle: np.ndarray) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    out = np.zeros(angle.shape + (3, 3))
    out[..., 2, 2] = 1.0
    out[..., 0, 0], out[..., 0, 1], out[..., 1, 0], out[..., 1, 1] = c, -s, s, c
    return out


def _local(joint: _JointDef, pose: Pose) -> np.ndarray:
    if joint.kind in ("root", "ball"):
        return pose.rotations[joint.name]
    angle = pose.angles[joint.name]
    if joint.kind == "knee":
        return rot_x(angle)
    if joint.kind == "elbow":
        return rot_x(-angle)
    return rot_x(angle[:, 0]) @ _rot_z(angle[:, 1])


def _axes(joint: _JointDef, pose: Pose, parent_world: np.ndarray, world: np.ndarray) -> np.ndarray:
    """(N, 3, k) world axes a step of the joint's k angles turns its subtree about."""
    if joint.kind in ("root", "ball"):
        return world
    if joint.kind == "knee":
        return (parent_world @ _X)[:, :, None]
    if joint.kind == "elbow":
        return -(parent_world @ _X)[:, :, None]
    return np.stack([parent_world @ _X, world @ _Z], axis=-1)


@dataclass(frozen=True)
class Kinematics:
    """Keypoints (N, 33, 3) in camera axes and, per keypoint, its pose columns (k,), d(keypoint)/
    d(step) (N, 3, k) for a step as Pose.stepped takes it, and d(keypoint)/d(log scale of each of
    LENGTHS) (N, 3, len(LENGTHS)) if asked for (else None)."""

    points: np.ndarray
    columns: list[np.ndarray]
    derivatives: list[np.ndarray]
    length_derivatives: list[np.ndarray] | None


def forward(shape: BodyShape, pose: Pose, jacobian: bool = False, length_jacobian: bool = True):
    """Keypoints (N, 33, 3) in camera axes, or with `jacobian` their Kinematics (with
    `length_jacobian`, also their derivatives by the body's proportions)."""
    offsets = shape.offsets()
    world: dict[str, np.ndarray] = {}
    origin: dict[str, np.ndarray] = {}
    axes: dict[str, np.ndarray] = {}
    chain: dict[str, list[str]] = {}
    for joint in JOINTS:
        local = _local(joint, pose)
        if joint.parent is None:
            world[joint.name], origin[joint.name], chain[joint.name] = local, pose.root_m, []
        else:
            parent = world[joint.parent]
            world[joint.name] = parent @ local
            origin[joint.name] = origin[joint.parent] + parent @ offsets[joint.name]
            chain[joint.name] = chain[joint.parent] + [joint.parent]
        axes[joint.name] = _axes(joint, pose, world.get(joint.parent, np.eye(3)), world[joint.name])
    attachments = shape.keypoint_attachments()
    points = np.empty((len(pose), N_KEYPOINTS, 3))
    for k, (name, offset) in enumerate(attachments):
        points[:, k] = origin[name] if offset is None else origin[name] + world[name] @ offset
    if not jacobian:
        return points
    parents = {joint.name: joint.parent for joint in JOINTS}
    scales = shape.offset_scales()
    columns, derivatives, length_derivatives = [], [], []
    for k, (name, offset) in enumerate(attachments):
        point = points[:, k]
        moving = chain[name] + ([name] if offset is not None else [])
        cols = [np.arange(3)] + [np.arange(PARAM_SLICES[j].start, PARAM_SLICES[j].stop)[-axes[j].shape[-1]:]
                                 for j in moving]
        blocks = [np.broadcast_to(np.eye(3), (len(pose), 3, 3))]
        for j in moving:
            lever = point - origin[j]
            blocks.append(cross(np.swapaxes(axes[j], 1, 2), lever[:, None, :]).swapaxes(1, 2))
        columns.append(np.concatenate(cols))
        derivatives.append(np.concatenate(blocks, axis=2))
        if not length_jacobian:
            continue
        lengths = np.zeros((len(pose), 3, len(LENGTHS)))
        for j in chain[name][1:] + [name]:  # each offset on the way from the root
            lengths += world[parents[j]] @ scales[j]
        if k in _FOOT_POINTS:
            lengths += (world[name] @ offset)[:, :, None] * _FOOT_COLUMN
        length_derivatives.append(lengths)
    return Kinematics(points, columns, derivatives, length_derivatives if length_jacobian else None)


_FOOT_COLUMN = np.array([name == "foot_m" for name in LENGTHS], float)
_FOOT_POINTS = {KP[f"{s}_{p}"] for s in ("left", "right") for p in ("heel", "foot_index")}
