"""RAS Mocap: single-camera motion capture and gait analysis for Blender.

Blender calls register() / unregister(); everything else in this package (capture/,
core/) works without Blender, so importing it must not import bpy.
"""


def register() -> None:
    from .blender import register as register_blender

    register_blender()


def unregister() -> None:
    from .blender import unregister as unregister_blender

    unregister_blender()
