"""Run in a clean Python that has only bpy (and what bpy brings, as Blender ships it): install the
built zip from disk as an extension, bake a video with its panel's operator, write a gait report
with its plots, and print which of the zip's wheels were imported.

Usage: python install_extension.py ZIP VIDEO MODEL WALK_TRACK REPORT_DIR
(BLENDER_USER_RESOURCES points at a temp dir). Exits non-zero with a message on any failure.
"""
import importlib
import importlib.metadata
import json
import sys
from pathlib import Path

import bpy

zip_path, video, model, walk_track, report_dir = sys.argv[1:6]
result = bpy.ops.extensions.package_install_files(filepath=zip_path, repo="user_default", enable_on_install=True)
assert result == {"FINISHED"}, result
package = "bl_ext.user_default.ras_mocap"
assert package in sys.modules, "the extension did not load"
assert hasattr(bpy.types, "RASMOCAP_PT_main") and hasattr(bpy.ops.ras_mocap, "bake_video")

prefs = bpy.context.preferences.addons[package].preferences
prefs.model_path = model
settings = bpy.context.scene.ras_mocap
settings.video_path, settings.frame_start, settings.frame_end = video, 0, 12
assert bpy.ops.ras_mocap.bake_video() == {"FINISHED"}
rig = bpy.context.active_object
assert rig.type == "ARMATURE" and rig.animation_data.action is not None

# the gait report and its plots, as Analyse Gait writes them, on a real walk
report = importlib.import_module(f"{package}.core.gait.report")
track = importlib.import_module(f"{package}.core.track").Track.load(walk_track)
summary = report.report_track(track, report_dir).summary
assert summary["strides"] > 0 and any(Path(report_dir).glob("*.png")), sorted(Path(report_dir).iterdir())

site = Path(bpy.utils.user_resource("EXTENSIONS", path=".local/lib/python{}.{}/site-packages".format(*sys.version_info[:2])))
imported = {Path(module.__file__).resolve() for module in list(sys.modules.values()) if getattr(module, "__file__", None)}
wheels = {}
for dist in importlib.metadata.distributions(path=[str(site)]):
    files = {(site / file).resolve() for file in dist.files or ()}
    wheels[dist.metadata["Name"]] = bool(files & imported)
print(json.dumps({"action": rig.animation_data.action.name, "wheels_imported": wheels}))
