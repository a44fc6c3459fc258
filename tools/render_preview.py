"""Draw a baked result for the README: video frames with their landmarks, and the rig's
evaluated pose (read back from Blender) as a side-view strobe across the take.

    python tools/render_preview.py demo_out/walk.blend demo_out/walk.npz demo_out/sports2d_demo_walk.mp4 docs/demo_result.png
"""
from __future__ import annotations

import sys
from pathlib import Path

import cv2
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from ras_mocap.blender.pose_sampling import bone_segments_world  # noqa: E402
from ras_mocap.core.track import Track  # noqa: E402
from ras_mocap.core.skeleton import KP  # noqa: E402

LIMBS = [("left_shoulder", "left_elbow"), ("left_elbow", "left_wrist"), ("right_shoulder", "right_elbow"),
         ("right_elbow", "right_wrist"), ("left_shoulder", "right_shoulder"), ("left_hip", "right_hip"),
         ("left_shoulder", "left_hip"), ("right_shoulder", "right_hip"), ("left_hip", "left_knee"),
         ("left_knee", "left_ankle"), ("right_hip", "right_knee"), ("right_knee", "right_ankle"),
         ("left_ankle", "left_foot_index"), ("right_ankle", "right_foot_index")]


def main(blend: Path, track_path: Path, video: Path, out: Path) -> None:
    import bpy

    bpy.ops.wm.open_mainfile(filepath=str(blend))
    scene = bpy.context.scene
    rig = next(o for o in scene.objects if o.type == "ARMATURE")
    track = Track.load(track_path)
    rows = [r for r in range(0, len(track), max(1, len(track) // 8)) if track.found[r]][:8]
    segments = bone_segments_world(scene, rig, [int(track.frame_index[r]) + 1 for r in rows])

    fig = plt.figure(figsize=(14, 7.5), dpi=100)
    cap = cv2.VideoCapture(str(video))
    for i, row in enumerate(rows[:4]):
        cap.set(cv2.CAP_PROP_POS_FRAMES, int(track.frame_index[row]))
        ok, bgr = cap.read()
        ax = fig.add_subplot(2, 4, i + 1)
        ax.imshow(bgr[..., ::-1])
        px = track.image_xy_px[row]
        for a, b in LIMBS:
            ax.plot(*px[[KP[a], KP[b]]].T, color="lime", lw=1.5)
        ax.set_title(f"video frame {track.frame_index[row]}", fontsize=9)
        ax.axis("off")
    cap.release()
    ax = fig.add_subplot(2, 1, 2)
    colors = plt.cm.viridis([i / max(1, len(rows) - 1) for i in range(len(rows))])
    for frame_segments, color in zip(segments, colors):
        for head, tail in frame_segments:
            ax.plot([head[0], tail[0]], [head[2], tail[2]], color=color, lw=2)
    ax.axhline(0.0, color="grey", lw=1)
    ax.set_aspect("equal")
    ax.set_xlabel("x (m), Blender world")
    ax.set_ylabel("z (m)")
    ax.set_title(f"RAS rig in Blender, {len(rows)} frames of the baked action '{rig.animation_data.action.name}' (side view)", fontsize=10)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out)
    print(out)


if __name__ == "__main__":
    main(*map(Path, sys.argv[1:5]))
