"""Leg frames left mislabelled (left for right) by the cleaning's swap search, on the rendered walks
and jogs against their truth: by places alone, and with the velocities' veto (the default).

    PYTHONPATH=. python bench/swap_labels.py

Each clip is tracked once (all defaults); the search runs on the frames and at the scale the
cleaning gives it. A frame is mislabelled when its leg landmarks fit the truth better swapped.
"""
from __future__ import annotations

import numpy as np

from ras_mocap.capture.tracking import TrackingSettings, track_video
from ras_mocap.core.cleaning import CleaningSettings, torso_px, trusted_frames
from ras_mocap.core.left_right import LIMB_PAIRS, find_swaps, swap_limbs
from tests.conftest import model_path
from tests.rendered import rendered_truth, rendered_video

CLIPS = [("walk", view, "full") for view in ("side", "front", "away", "behind", "oblique")] + [
    ("walk", "side", "lite"), ("walk", "oblique", "lite")] + [
    ("jog", view, "full") for view in ("side", "front", "far", "oblique")] + [("jog", "oblique", "lite")]


def mislabelled(image_px: np.ndarray, truth: dict) -> int:
    index = list(truth["blazepose_index"])
    landmarks = [b for b in range(25, 33) if b in index]
    truth_px = truth["joints_px"][:, [index.index(b) for b in landmarks]]
    mirrored = [b + 1 if b % 2 else b - 1 for b in landmarks]
    as_labelled = np.linalg.norm(image_px[:, landmarks] - truth_px, axis=-1).mean(axis=1)
    exchanged = np.linalg.norm(image_px[:, mirrored] - truth_px, axis=-1).mean(axis=1)
    return int(np.sum(exchanged < as_labelled))


def main() -> None:
    print("| clip | model | raw | places alone | with the velocities' veto |")
    print("|---|---|---|---|---|")
    totals = np.zeros(3, int)
    for motion, view, model in CLIPS:
        track = track_video(rendered_video(view, motion), TrackingSettings(model_path(model)))
        truth = rendered_truth(view, motion)
        valid = trusted_frames(track, CleaningSettings())[0]
        px = track.image_xy_px
        counts = [mislabelled(px, truth)]
        for by_velocity in (False, True):
            swapped = find_swaps(px, valid, track.time_s, torso_px(track, valid), by_velocity=by_velocity)
            counts.append(mislabelled(swap_limbs(px, swapped, LIMB_PAIRS["legs"]), truth))
        totals += counts
        print(f"| {motion} {view} | {model} | " + " | ".join(map(str, counts)) + " |")
    print(f"| all | | " + " | ".join(map(str, totals)) + " |")


if __name__ == "__main__":
    main()
