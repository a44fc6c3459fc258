"""Keys written as arrays (keyframe_points.add + foreach_set) against keyframe_insert per key.

    PYTHONPATH=. python bench/keyframe_writer.py [--seconds 20]

The same solved channels (the DeepMimic walk, --seconds at 30 fps, onto the RAS rig: 17 Euler
rotations and the root's location) keyed both ways into two actions, timed side by side; the
curves are compared so the speed is not bought with different keys (issue 6: >= 20x).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import bpy
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ras_mocap.blender import compat, keys, rig as rig_module  # noqa: E402
from ras_mocap.core.lifting import pose_points  # noqa: E402
from ras_mocap.core.rig_spec import body_lengths_from_world  # noqa: E402
from ras_mocap.core.solver import aim_rig  # noqa: E402
from tests.groundtruth import SideCamera, truth_walk  # noqa: E402

SHARED = REPO.parent / "shared"


def insert_per_key(rig, frames: np.ndarray, euler_rad: dict, location_m: dict) -> None:
    """What an add-on without array writes does: set each channel, keyframe_insert it, per frame."""
    bones = rig.pose.bones
    for row, frame in enumerate(frames):
        for name, values in euler_rad.items():
            bones[name].rotation_euler = values[row]
            bones[name].keyframe_insert("rotation_euler", frame=float(frame), group=name)
        for name, values in location_m.items():
            bones[name].location = values[row]
            bones[name].keyframe_insert("location", frame=float(frame), group=name)


def curve_values(action, rig) -> dict:
    out = {}
    for curve in compat.action_fcurves(action, rig):
        co = np.empty(2 * len(curve.keyframe_points), dtype=np.float32)
        curve.keyframe_points.foreach_get("co", co)
        out[(curve.data_path, curve.array_index)] = co
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    camera = SideCamera()
    walk = truth_walk(SHARED / "fixtures/motion/humanoid3d_walk.txt", seconds=args.seconds, camera=camera)
    bpy.ops.wm.read_factory_settings(use_empty=True)
    rig = rig_module.add_ras_rig(bpy.context, body_lengths_from_world(walk.world_landmarks_m))
    points, _hips = pose_points(walk.world_landmarks_m, walk.image_px, camera.size_px)
    channels = aim_rig(points, rig_module.rest_bones(rig))
    frames = np.arange(len(walk.world_landmarks_m)) + 1
    n_keys = len(frames) * 3 * (len(channels.euler_rad) + len(channels.location_m))

    started = time.perf_counter()
    arrays = bpy.data.actions.new("arrays")
    keys.write_pose_channels(arrays, rig, frames, channels.euler_rad, channels.location_m)
    arrays_s = time.perf_counter() - started

    rig.animation_data.action = None
    per_key = bpy.data.actions.new("per_key")
    compat.action_fcurves(per_key, rig)  # assigned, so keyframe_insert keys into it
    started = time.perf_counter()
    insert_per_key(rig, frames, channels.euler_rad, channels.location_m)
    insert_s = time.perf_counter() - started

    a, b = curve_values(arrays, rig), curve_values(per_key, rig)
    if a.keys() != b.keys():
        raise SystemExit(f"the two writers keyed different curves: {sorted(a.keys() ^ b.keys())[:5]}")
    largest_difference = max(np.abs(a[k] - b[k]).max() for k in a)
    print(f"{len(frames)} frames, {n_keys:,} keys, bpy {bpy.app.version_string}")
    print(f"keyframe_points.add + foreach_set: {arrays_s * 1000:8.1f} ms")
    print(f"keyframe_insert per key:           {insert_s * 1000:8.1f} ms")
    print(f"ratio: {insert_s / arrays_s:.0f}x (target >= 20x); largest difference between the two actions' keys: {largest_difference:.2g}")


if __name__ == "__main__":
    main()
