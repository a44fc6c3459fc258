"""The live preview: the camera frame with the skeleton, copied into an Image datablock."""
from __future__ import annotations

import bpy
import numpy as np

__all__ = ["PREVIEW_IMAGE", "image_pixels", "show_pixels"]

PREVIEW_IMAGE = "RAS Mocap Preview"


def image_pixels(rgb: np.ndarray) -> np.ndarray:
    """An (h, w, 3) uint8 top-row-first RGB frame as Blender image pixels: (h, w, 4) float RGBA,
    bottom row first. Plain numpy, so the capture thread can do it."""
    rgba = np.ones((*rgb.shape[:2], 4), dtype=np.float32)
    rgba[..., :3] = rgb[::-1] / np.float32(255.0)
    return rgba


def show_pixels(rgba: np.ndarray, name: str = PREVIEW_IMAGE) -> bpy.types.Image:
    """Copy (h, w, 4) float RGBA pixels (see image_pixels) into the image `name` (made or resized
    as needed); one foreach_set, no per-pixel Python."""
    height, width = rgba.shape[:2]
    image = bpy.data.images.get(name)
    if image is None or tuple(image.size) != (width, height):
        if image is not None:
            bpy.data.images.remove(image)
        image = bpy.data.images.new(name, width, height, alpha=False)
    image.pixels.foreach_set(rgba.ravel())
    image.update()
    return image
