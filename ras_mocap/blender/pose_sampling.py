"""Read an armature's evaluated pose back out of Blender, for previews and checks."""
from __future__ import annotations

import bpy
import numpy as np

__all__ = ["bone_segments_world"]


def bone_segments_world(scene: bpy.types.Scene, rig: bpy.types.Object, frames: list[int],
                        bones: list[str] | None = None) -> np.ndarray:
    """(F, B, 2, 3) world-space head and tail of each deforming bone at each frame."""
    names = bones or [b.name for b in rig.data.bones if b.use_deform]
    out = np.empty((len(frames), len(names), 2, 3))
    matrix_world = np.array(rig.matrix_world)
    for i, frame in enumerate(frames):
        scene.frame_set(frame)
        for j, name in enumerate(names):
            pose_bone = rig.pose.bones[name]
            for k, point in enumerate((pose_bone.head, pose_bone.tail)):
                out[i, j, k] = (matrix_world @ np.append(np.array(point), 1.0))[:3]
    return out
