"""The live preview: the camera frame with the skeleton, copied into an Image datablock."""
from __future__ import annotations

import bpy
import numpy as np

__all__ = ["PREVIEW_IMAGE", "show_rgb"]

PREVIEW_IMAGE = "RAS Mocap Preview"


def show_rgb(rgb: np.ndarray, name: str = PREVIEW_IMAGE) -> bpy.types.Image:
    """Copy an (h, w, 3) uint8 top-row-first RGB frame into the image `name` (made or resized
    as needed); one foreach_set, no per-pixel Python."""
    height, width = rgb.shape[:2]
    image = bpy.data.images.get(name)
    if image is None or tuple(image.size) != (width, height):
        if image is not None:
            bpy.data.images.remove(image)
        image = bpy.data.images.new(name, width, height, alpha=False)
    rgba = np.ones((height, width, 4), dtype=np.float32)
    rgba[..., :3] = rgb[::-1] / np.float32(255.0)  # Blender's rows run bottom-up
    image.pixels.foreach_set(rgba.ravel())
    image.update()
    return image
