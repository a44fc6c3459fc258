"""Run in a fresh Python with bpy: install the built zip as an extension and use it.

Usage: python install_extension.py ZIP VIDEO MODEL  (BLENDER_USER_RESOURCES points at a temp dir)
Exits non-zero with a message on any failure.
"""
import os
import sys

import bpy

# What Blender does not ship must come from the extension's own wheels, not from this venv.
BUNDLED = {"mediapipe", "cv2", "scipy", "matplotlib", "absl"}
site = bpy.utils.user_resource("EXTENSIONS", path=".local/lib/python{}.{}/site-packages".format(*sys.version_info[:2]))
assert not BUNDLED & set(sys.modules), "bundled packages were imported before the test could isolate them"
# Blender appends the extension's site-packages to sys.path; put it first so that these imports
# resolve to the wheels the zip carries, not to this venv's copies.
os.makedirs(site, exist_ok=True)
sys.path.insert(0, site)

zip_path, video, model = sys.argv[1:4]
result = bpy.ops.extensions.package_install_files(filepath=zip_path, repo="user_default", enable_on_install=True)
assert result == {"FINISHED"}, result
assert "bl_ext.user_default.ras_mocap" in sys.modules, "the extension did not load"
assert hasattr(bpy.types, "RASMOCAP_PT_main") and hasattr(bpy.ops.ras_mocap, "bake_video")

missing = BUNDLED - set(os.listdir(site))
assert not missing, f"wheels not installed with the extension: {missing}"

prefs = bpy.context.preferences.addons["bl_ext.user_default.ras_mocap"].preferences
prefs.model_path = model
settings = bpy.context.scene.ras_mocap
settings.video_path, settings.frame_start, settings.frame_end = video, 0, 12
assert bpy.ops.ras_mocap.bake_video() == {"FINISHED"}
rig = bpy.context.active_object
assert rig.type == "ARMATURE" and rig.animation_data.action is not None
for name in BUNDLED - {"absl"}:
    assert sys.modules[name].__file__.startswith(site), (name, sys.modules[name].__file__)
print("extension installed and baked", rig.animation_data.action.name)
