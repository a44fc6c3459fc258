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
from .errors import InputError

__all__ = ["RetargetProfile", "PROFILE_NAMES", "BODY_PARTS", "rest_joints"]

PROFILE_DIR = Path(__file__).with_name("profiles")
PROFILE_NAMES = tuple(sorted(p.stem for p in PROFILE_DIR.glob("*.json")))
BODY_PARTS = ("pelvis", "spine", "chest", "neck", "head") + tuple(
    f"{part}.{side}" for side in ("L", "R") for part in ("upper_arm", "forearm", "hand", "thigh", "shin", "foot", "toe")
)

REQUIRED_PARTS = ("pelvis", "head") + tuple(
    f"{part}.{side}" for side in ("L", "R") for part in ("upper_arm", "forearm", "hand", "thigh", "shin", "foot")
)
"""The parts the solver aims (spine, chest, neck and toes are optional)."""


def _is_map(value: object, value_type: type | tuple[type, ...]) -> bool:
    """A JSON object whose keys are strings and values of `value_type`."""
    return isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, value_type) for k, v in value.items())


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
        """A bundled profile by name (ras, mixamo, ...) or a JSON file (InputError if it is not one)."""
        path = PROFILE_DIR / f"{name_or_path}.json" if str(name_or_path) in PROFILE_NAMES else Path(name_or_path)
        try:
            data = json.loads(path.read_text())
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise InputError(f"{path} is not a retarget profile (a JSON object with a 'bones' map): {exc}") from None
        if not isinstance(data, dict) or not _is_map(data.get("bones"), str):
            raise InputError(f"{path} is not a retarget profile: it needs a 'bones' object of body part -> bone name")
        bones = data["bones"]
        unknown = set(bones) - set(BODY_PARTS)
        if unknown:
            raise InputError(f"{path}: unknown body parts {sorted(unknown)}; known: {', '.join(BODY_PARTS)}")
        missing = [part for part in REQUIRED_PARTS if part not in bones]
        if missing:
            raise InputError(f"{path}: the profile maps no bone to {', '.join(missing)} (every profile needs "
                             f"{', '.join(REQUIRED_PARTS)})")
        follow, properties = data.get("follow", {}), data.get("properties", {})
        if not _is_map(follow, str) or not _is_map(properties, dict) or not all(
                _is_map(values, (int, float)) for values in properties.values()):
            raise InputError(f"{path}: 'follow' maps body parts to body parts, 'properties' bone names to "
                             "objects of property -> number")
        root_bone = data.get("root_bone")
        if root_bone is not None and not isinstance(root_bone, str):
            raise InputError(f"{path}: 'root_bone' is a bone name")
        return cls(str(data.get("name", path.stem)), dict(bones), root_bone, dict(follow),
                   {bone: dict(values) for bone, values in properties.items()})

    @property
    def location_bone(self) -> str:
        return self.root_bone or self.bones["pelvis"]

    @classmethod
    def matching(cls, bone_names: set[str]) -> RetargetProfile:
        """The bundled profile whose bones the rig has; InputError if none fits, naming the bones
        the closest one lacks."""
        profiles = [cls.load(name) for name in PROFILE_NAMES]
        closest = min(profiles, key=lambda profile: len(profile.missing(bone_names)))
        missing = closest.missing(bone_names)
        if not missing:
            return closest
        raise InputError(f"no bundled retarget profile ({', '.join(PROFILE_NAMES)}) fits this rig: the closest, "
                         f"{closest.name}, maps bones the rig has not: {', '.join(missing)}; rename them, or write a "
                         "JSON bone map for the rig (see ras_mocap/core/profiles/)")

    def missing(self, bone_names: set[str]) -> list[str]:
        """The bones this profile needs that are not in `bone_names`."""
        needed = {bone for part, bone in self.bones.items() if not part.startswith("toe.")} | {self.location_bone}
        return sorted(needed - bone_names)

    def check(self, bone_names: set[str]) -> None:
        """Raise InputError naming the bones this profile needs and the rig lacks."""
        missing = self.missing(bone_names)
        if missing:
            raise InputError(f"the rig has no bone {', '.join(missing)} that the {self.name} profile maps")


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
