"""Write per-frame channel arrays into an action with keyframe_points.add + foreach_set."""
from __future__ import annotations

import bpy
import numpy as np

from . import compat

__all__ = ["write_pose_channels"]

_INTERPOLATION = bpy.types.Keyframe.bl_rna.properties["interpolation"].enum_items
_LINEAR, _CONSTANT = _INTERPOLATION["LINEAR"].value, _INTERPOLATION["CONSTANT"].value


def _write_curve(fcurve, frames: np.ndarray, values: np.ndarray, interpolation: np.ndarray) -> None:
    points = fcurve.keyframe_points
    points.add(len(frames))
    co = np.empty(2 * len(frames), dtype=np.float32)
    co[0::2] = frames
    co[1::2] = values
    points.foreach_set("co", co)
    points.foreach_set("interpolation", interpolation)
    fcurve.update()


def write_pose_channels(
    action: bpy.types.Action,
    armature: bpy.types.Object,
    frames: np.ndarray,
    euler_rad: dict[str, np.ndarray],
    location_m: dict[str, np.ndarray],
    hold_keys: np.ndarray | None = None,
) -> int:
    """Key `rotation_euler` / `location` of pose bones on `frames`; returns the curves written.

    Keys interpolate linearly, except those at `hold_keys` (indices into frames), which hold
    their value until the next key (a gap in the capture). The action is assigned to the
    armature. Existing curves of the same paths are replaced.
    """
    interpolation = np.full(len(frames), _LINEAR, dtype=np.int32)
    if hold_keys is not None:
        interpolation[np.asarray(hold_keys, int)] = _CONSTANT
    curves_of_rig = compat.action_channels(action, armature)
    fcurves = curves_of_rig.fcurves
    written = 0
    for prop, channels in (("rotation_euler", euler_rad), ("location", location_m)):
        for bone_name, values in channels.items():
            data_path = f'pose.bones["{bone_name}"].{prop}'
            for axis in range(3):
                old = fcurves.find(data_path, index=axis)
                if old is not None:
                    fcurves.remove(old)
                curve = compat.new_fcurve(curves_of_rig, data_path, axis, bone_name)
                _write_curve(curve, frames, values[:, axis], interpolation)
                written += 1
    return written
