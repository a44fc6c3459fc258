"""The whole pipeline against the rendered walks' exact truth, every view, as issue 13 measures it.

    PYTHONPATH=. python bench/solver_accuracy.py [--model full] [--views side front away]

Per view: the video tracked with all defaults, cleaned, fitted (core.pipeline) with the lens's
field of view (the fixtures' README gives it) and with the default 65 deg, the RAS rig aimed at
the fitted body; knee / hip / ankle flexion RMSE per side against the truth minus its rest pose,
pelvis speed, walking direction, and the ball's path per inner stance against the truth's.
"""
from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np

from ras_mocap.capture.tracking import TrackingSettings, track_video
from ras_mocap.core.forward import posed_joints
from ras_mocap.core.pipeline import fit_clip, rig_channels, rig_lengths
from ras_mocap.core.rig_spec import ras_rest_bones
from tests.rendered import VIEWS, RigWalk, figures, rendered_truth, rendered_video, rest_ankle_deg

SHARED = Path(__file__).resolve().parents[2] / "shared"


def view_figures(raw, truth: dict, fov_deg: float | None) -> dict[str, float]:
    clip = fit_clip(raw, fov_deg=fov_deg)
    bones = ras_rest_bones(rig_lengths(clip.body))
    valid = clip.valid
    joints = posed_joints(bones, rig_channels(clip, bones), int(valid.sum()))
    rows = {k: (v[valid] if isinstance(v, np.ndarray) and v.shape[:1] == valid.shape else v) for k, v in truth.items()}
    return figures(RigWalk(joints, clip.body.world.world_to_camera, raw.time_s[valid]), rows, rest_ankle_deg(bones))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="full", choices=("lite", "full", "heavy"))
    parser.add_argument("--views", nargs="*", default=VIEWS)
    args = parser.parse_args()
    model = SHARED / "models" / f"pose_landmarker_{args.model}.task"
    print(f"{'view':6s} {'camera':13s} {'knee L/R':>12s} {'hip L/R':>12s} {'ankle L/R':>12s} {'speed':>7s} "
          f"{'direction':>9s} {'ball path (truth)':>18s}")
    for view in args.views:
        raw = track_video(rendered_video(view), TrackingSettings(model))
        truth = rendered_truth(view)
        lens_deg = math.degrees(2 * math.atan(truth["camera_K"][0, 2] / truth["camera_K"][0, 0]))
        for label, fov in ((f"lens {lens_deg:.0f} deg", lens_deg), ("default 65", None)):
            f = view_figures(raw, truth, fov)
            print(f"{view:6s} {label:13s} {f['knee.L']:5.1f} /{f['knee.R']:5.1f} {f['hip.L']:5.1f} /{f['hip.R']:5.1f} "
                  f"{f['ankle.L']:5.1f} /{f['ankle.R']:5.1f} {100 * f['speed_error']:+6.1f}% "
                  f"{f['direction_error_deg']:8.1f}d {f['ball_path_cm']:7.1f} cm ({f['truth_ball_path_cm']:.1f})")


if __name__ == "__main__":
    main()
