"""Render the README's picture from the demo's .blend: four video frames above, and below them a
Blender (Workbench) render of the baked mannequin at seven moments of the walk, side by side on
one floor as a strobe, seen square-on to the walking direction from the video camera's side.

    python tools/render_demo.py demo_out/walk.blend demo_out/sports2d_demo_walk.mp4 docs/demo_result.png
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import bpy
import cv2
import numpy as np
from mathutils import Matrix, Vector

from ras_mocap.blender import compat
from ras_mocap.blender.mannequin import add_mannequin, skinned_meshes
from ras_mocap.blender.rig import armature_rest_bones
from ras_mocap.core.retarget import RetargetProfile

STROBE_POSES = 7
VIDEO_FRAMES = 4
WIDTH_PX = 2000
ROW_HEIGHT_PX = 300


def _strobe_frames(rig: bpy.types.Object, count: int) -> list[int]:
    """`count` of the frames the bake keyed (where the person was seen), spread over the take,
    its first and last tenth left out."""
    curves = compat.action_fcurves(rig.animation_data.action, rig)
    keyed = sorted({round(key.co[0]) for curve in curves for key in curve.keyframe_points})
    return [keyed[round((len(keyed) - 1) * (0.1 + 0.8 * i / (count - 1)))] for i in range(count)]


def _frozen_copies(scene: bpy.types.Scene, body: bpy.types.Object, frames: list[int]) -> list[bpy.types.Object]:
    """A static copy of the posed mannequin at each frame."""
    copies = []
    for frame in frames:
        scene.frame_set(frame)
        evaluated = body.evaluated_get(bpy.context.evaluated_depsgraph_get())
        copy = bpy.data.objects.new(f"strobe_{frame}", bpy.data.meshes.new_from_object(evaluated))
        copy.matrix_world = body.matrix_world.copy()
        scene.collection.objects.link(copy)
        copies.append(copy)
    body.hide_render = True
    return copies


def _points(objects: list[bpy.types.Object]) -> np.ndarray:
    return np.concatenate([np.array([ob.matrix_world @ v.co for v in ob.data.vertices]) for ob in objects])


def _stage(scene: bpy.types.Scene, copies: list[bpy.types.Object], aspect: float) -> None:
    """A floor, a camera looking square-on at the walk (orthographic, a little from above), Workbench."""
    points = _points(copies)
    centres = np.array([_points([c]).mean(axis=0) for c in copies])
    walk = centres[-1, :2] - centres[0, :2]
    walk /= np.linalg.norm(walk)
    side = np.array([-walk[1], walk[0]])
    side *= np.sign(side[1]) or 1.0  # from the video camera's side: the bake's world has +y away from it
    look = Vector((side[0], side[1], -0.15)).normalized()  # square-on to the walk, slightly down
    middle = Vector(((points.min(axis=0) + points.max(axis=0)) / 2).tolist())
    camera = bpy.data.objects.new("camera", bpy.data.cameras.new("camera"))
    camera.data.type = "ORTHO"
    along = np.abs((points[:, :2] - np.array(middle[:2])) @ walk).max() * 2
    height = points[:, 2].max() - points[:, 2].min()
    camera.data.ortho_scale = 1.08 * max(along, height * aspect)
    camera.matrix_world = Matrix.Translation(middle - 20 * look) @ look.to_track_quat("-Z", "Y").to_matrix().to_4x4()
    camera.data.clip_end = 100.0
    scene.collection.objects.link(camera)
    scene.camera = camera
    floor = bpy.data.meshes.new("floor")
    size = camera.data.ortho_scale
    floor.from_pydata([(middle.x + dx * size, middle.y + dy * size, 0.0) for dx, dy in ((-1, -1), (1, -1), (1, 1), (-1, 1))],
                      [], [(0, 1, 2, 3)])
    scene.collection.objects.link(bpy.data.objects.new("floor", floor))
    scene.render.engine = "BLENDER_WORKBENCH"
    scene.display.shading.light = "STUDIO"
    scene.display.shading.color_type = "MATERIAL"
    scene.display.shading.show_shadows = True
    scene.display.shading.show_cavity = True
    scene.render.film_transparent = False


def _render(scene: bpy.types.Scene, width_px: int, height_px: int, path: Path) -> np.ndarray:
    scene.render.resolution_x, scene.render.resolution_y = width_px, height_px
    scene.render.resolution_percentage = 100
    scene.render.filepath = str(path)
    bpy.ops.render.render(write_still=True)
    return cv2.imread(str(path))


def _video_row(video: Path, frames: list[int], width_px: int) -> np.ndarray:
    """The video frames (scene frame f is video frame f - 1), side by side, `width_px` wide."""
    capture = cv2.VideoCapture(str(video))
    tiles = []
    for frame in frames:
        capture.set(cv2.CAP_PROP_POS_FRAMES, frame - 1)
        ok, image = capture.read()
        if not ok:
            raise SystemExit(f"cannot read frame {frame - 1} of {video}")
        tiles.append(image)
    capture.release()
    row = np.concatenate(tiles, axis=1)
    return cv2.resize(row, (width_px, round(row.shape[0] * width_px / row.shape[1])), interpolation=cv2.INTER_AREA)


def _label(image: np.ndarray, text: str) -> np.ndarray:
    cv2.putText(image, text, (12, 30), cv2.FONT_HERSHEY_SIMPLEX, 0.8, (20, 20, 20), 4, cv2.LINE_AA)
    cv2.putText(image, text, (12, 30), cv2.FONT_HERSHEY_SIMPLEX, 0.8, (255, 255, 255), 2, cv2.LINE_AA)
    return image


def main(blend: Path, video: Path, out: Path) -> None:
    bpy.ops.wm.open_mainfile(filepath=str(blend))
    scene = bpy.context.scene
    (rig,) = [ob for ob in scene.objects if ob.type == "ARMATURE"]
    bodies = skinned_meshes(rig)
    body = bodies[0] if bodies else add_mannequin(bpy.context, rig, armature_rest_bones(rig), RetargetProfile.load("ras"))
    strobe = _strobe_frames(rig, STROBE_POSES)
    video_frames = _strobe_frames(rig, VIDEO_FRAMES)
    video_row = _video_row(video, video_frames, WIDTH_PX)
    copies = _frozen_copies(scene, body, strobe)
    aspect = WIDTH_PX / (2 * ROW_HEIGHT_PX)
    _stage(scene, copies, aspect)
    with tempfile.TemporaryDirectory() as folder:
        render = _render(scene, WIDTH_PX, 2 * ROW_HEIGHT_PX, Path(folder) / "render.png")
    picture = np.concatenate([
        _label(video_row, f"the video (frames {', '.join(str(f - 1) for f in video_frames)})"),
        _label(render, f"the bake in Blender: the mannequin at frames {', '.join(str(f - 1) for f in strobe)} (Workbench render)"),
    ])
    out.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(out), picture):
        raise SystemExit(f"cannot write {out}")
    print(out)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("blend", type=Path, help="the demo's .blend (make demo: demo_out/walk.blend)")
    parser.add_argument("video", type=Path, help="the video it was baked from")
    parser.add_argument("out", type=Path, help="the PNG to write")
    args = parser.parse_args()
    main(args.blend, args.video, args.out)
