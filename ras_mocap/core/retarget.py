"""Retargeting profiles: which bone of a rig plays each part of the body, and that rig's rest pose.

A profile (profiles/*.json, or any JSON file of the same shape) maps the solver's body parts
(pelvis, spine, chest, neck, head, upper_arm/forearm/hand/thigh/shin/foot/toe .L/.R) to bone
names. The rest directions the solver rotates from are read from the rig's own bones, so a
T-pose, an A-pose and any bone roll are handled alike.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .armature import RestBone

__all__ = ["RetargetProfile", "PROFILE_NAMES", "BODY_PARTS", "rest_joints"]

PROFILE_DIR = Path(__file__).with_name("profiles")
PROFILE_NAMES = tuple(sorted(p.stem for p in PROFILE_DIR.glob("*.json")))
BODY_PARTS = ("pelvis", "spine", "chest", "neck", "head") + tuple(
    f"{part}.{side}" for side in ("L", "R") for part in ("upper_arm", "forearm", "hand", "thigh", "shin", "foot", "toe")
)


@dataclass(frozen=True)
class RetargetProfile:
    name: str
    bones: dict[str, str]  # body part -> bone name in the rig
    root_bone: str | None = None
    """The bone that carries the root motion (location keys); None: the pelvis part's bone."""
    follow: dict[str, str] = field(default_factory=dict)
    """Body part -> the part whose rotation it inherits, or "world", where the rig's own parent
    chain says otherwise (e.g. Rigify's FK limbs isolate their rotation through helper bones)."""
    properties: dict[str, dict[str, float]] = field(default_factory=dict)
    """Custom properties to set on pose bones before keying (e.g. Rigify's IK/FK switches to FK)."""

    @classmethod
    def load(cls, name_or_path: str | Path) -> RetargetProfile:
        """A bundled profile by name (ras, mixamo, ...) or a JSON file."""
        path = PROFILE_DIR / f"{name_or_path}.json" if str(name_or_path) in PROFILE_NAMES else Path(name_or_path)
        try:
            data = json.loads(path.read_text())
            bones = dict(data["bones"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path} is not a retarget profile (a JSON object with a 'bones' map): {exc}") from None
        unknown = set(bones) - set(BODY_PARTS)
        if unknown:
            raise ValueError(f"{path}: unknown body parts {sorted(unknown)}; known: {', '.join(BODY_PARTS)}")
        return cls(
            str(data.get("name", path.stem)), bones, data.get("root_bone"),
            dict(data.get("follow", {})), {k: dict(v) for k, v in data.get("properties", {}).items()},
        )

    @property
    def location_bone(self) -> str:
        return self.root_bone or self.bones["pelvis"]

    @classmethod
    def matching(cls, bone_names: set[str]) -> RetargetProfile:
        """The bundled profile whose bones the rig has; ValueError if none fits."""
        for name in PROFILE_NAMES:
            profile = cls.load(name)
            try:
                profile.check(bone_names)
            except ValueError:
                continue
            return profile
        raise ValueError(f"no bundled retarget profile ({', '.join(PROFILE_NAMES)}) fits this rig; "
                         "write a JSON bone map for it (see ras_mocap/core/profiles/)")

    def check(self, bone_names: set[str]) -> None:
        """Raise ValueError naming the bones this profile needs and the rig lacks."""
        needed = {bone for part, bone in self.bones.items() if not part.startswith("toe.")} | {self.location_bone}
        missing = sorted(needed - bone_names)
        if missing:
            raise ValueError(f"the rig has no bone {', '.join(missing)} that the {self.name} profile maps")


def rest_joints(bones: dict[str, RestBone], profile: RetargetProfile) -> dict[str, np.ndarray]:
    """The solver's named joints in the rig's rest pose (armature space, the rig facing -y)."""

    def head(part: str) -> np.ndarray:
        return bones[profile.bones[part]].head_m

    def tail(part: str) -> np.ndarray:
        bone = bones[profile.bones[part]]
        return bone.head_m + bone.matrix[:, 1] * bone.length_m

    # the midpoints of the hip and shoulder joints, as the keypoints define them (the rig's own
    # pelvis and neck bones may start elsewhere)
    joints = {
        "mid_hip": 0.5 * (head("thigh.L") + head("thigh.R")),
        "neck_base": 0.5 * (head("upper_arm.L") + head("upper_arm.R")),
        "head_base": head("head"),
    }
    for side in ("L", "R"):
        toe = f"toe.{side}"
        joints |= {
            f"shoulder.{side}": head(f"upper_arm.{side}"),
            f"elbow.{side}": head(f"forearm.{side}"),
            f"wrist.{side}": head(f"hand.{side}"),
            f"hand_tip.{side}": tail(f"hand.{side}"),
            f"hip.{side}": head(f"thigh.{side}"),
            f"knee.{side}": head(f"shin.{side}"),
            f"ankle.{side}": head(f"foot.{side}"),
            f"toe_tip.{side}": tail(toe) if profile.bones.get(toe) in bones else tail(f"foot.{side}"),
        }
    return joints
