"""Gait analysis accuracy beside Stenum et al. 2021's single-camera errors (OpenPose, side view).

    PYTHONPATH=. python bench/gait_accuracy.py [--seeds 6] [--model full] [--views side front away]

Two walks with exact truth: the DeepMimic walk (tests/groundtruth.py) seen by a side camera
with 1.7 cm RMS keypoint noise, one run per seed, and the rendered walk videos (side, the
walker approaching, walking away) tracked with --model (one pose looked for), each analysed
through the lens's field of view and through the default 65 deg. Printed per case: event timing errors (frames), step time and step length errors of
each side's mean, and the RMSE of each joint's mean gait cycle against the truth's (rendered
walk: the truth in clinical terms, its rest pose = 0). Stenum's figures are the mean absolute
errors of 2D OpenPose against motion capture.
"""
from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ras_mocap.capture.tracking import TrackingSettings, track_video  # noqa: E402
from ras_mocap.core.filters import valid_runs  # noqa: E402
from ras_mocap.core.gait import analyse_walk  # noqa: E402
from ras_mocap.core.gait.cycles import normalised_cycles  # noqa: E402
from ras_mocap.core.gait.walk import track_walk  # noqa: E402
from ras_mocap.core.skeleton import KP  # noqa: E402
from tests.groundtruth import SideCamera, noisy_track, sagittal_angles_deg, truth_walk  # noqa: E402

SHARED = REPO.parent / "shared"
SIDES = ("left", "right")
STENUM = {"step_time_s": 0.02, "step_length_m": 0.049, "hip_deg": 4.0, "knee_deg": 5.6, "ankle_deg": 7.4}
ANGLES = {"hip_deg": "hip_flexion", "knee_deg": "knee_flexion", "ankle_deg": "ankle_dorsiflexion"}


def event_errors_frames(analysis, strikes: dict, offs: dict, n_frames: int) -> np.ndarray:
    """|detected - true| for every true event away from the clip's ends (nearest detection)."""
    errors = []
    for kind, truth in (("heel_strike", strikes), ("toe_off", offs)):
        for side in SIDES:
            found = getattr(analysis.events, kind)[side]
            inner = [t for t in truth[side] if analysis.fps * 0.5 < t < n_frames - analysis.fps * 0.5]
            errors += [np.min(np.abs(found - t)) for t in inner]
    return np.array(errors)


def step_errors(summary: dict, step_time_s: dict, step_length_m: dict) -> tuple[float, float]:
    """The worse side's |mean step time error| (s) and |mean step length error| (m)."""
    return (max(abs(summary[s]["step_time_s"]["mean"] - step_time_s[s]) for s in SIDES),
            max(abs(summary[s]["step_length_m"]["mean"] - step_length_m[s]) for s in SIDES))


def cycle_rmse_deg(analysis, truth_deg: dict, truth_strikes: dict) -> dict[str, float]:
    """Per joint, the worse side's RMSE of the mean cycle against the truth's mean cycle."""
    def rmse(key: str, column: int, side: str) -> float:
        truth_cycle = normalised_cycles(truth_deg[key][:, column], truth_strikes[side]).mean(axis=0)
        return float(np.sqrt(np.mean((analysis.cycles_deg[ANGLES[key]][side].mean(axis=0) - truth_cycle) ** 2)))

    return {key: max(rmse(key, column, side) for column, side in enumerate(SIDES)) for key in ANGLES}


def true_steps(walk, strikes: dict) -> tuple[dict, dict]:
    """Each side's mean step time (s) and length (m, heel to heel along +x) at the true strikes."""
    step_time, step_length = {}, {}
    for side, other in (("left", "right"), ("right", "left")):
        times, lengths = [], []
        for strike in strikes[side]:
            before = strikes[other][strikes[other] < strike]
            if len(before):
                times.append((strike - before[-1]) / walk.fps)
                heels = walk.keypoints_m[int(strike), [KP[f"{side}_heel"], KP[f"{other}_heel"]], 0]
                lengths.append(heels[0] - heels[1])
        step_time[side], step_length[side] = float(np.mean(times)), float(np.mean(lengths))
    return step_time, step_length


def deepmimic_cases(seeds: int):
    camera = SideCamera.seeing(-0.4, 10.1)  # the whole 10 s walk in view
    walk = truth_walk(SHARED / "fixtures/motion/humanoid3d_walk.txt", seconds=10, camera=camera)
    runs = [valid_runs(walk.contact_sagittal[:, column]) for column in range(2)]
    strikes = {s: np.array([a for a, _ in runs[c] if a > 0], float) for c, s in enumerate(SIDES)}
    offs = {s: np.array([b for _, b in runs[c] if b < len(walk.contact_sagittal)], float) for c, s in enumerate(SIDES)}
    angles = sagittal_angles_deg(walk.keypoints_m)
    truth_deg = {"hip_deg": angles["hip"], "knee_deg": angles["knee"], "ankle_deg": angles["ankle"]}
    step_time, step_length = true_steps(walk, strikes)
    for seed in range(seeds):
        seen = track_walk(noisy_track(walk, camera, noise_m=0.017, seed=seed))
        analysis = analyse_walk(seen)
        yield (f"noisy side view, seed {seed}", event_errors_frames(analysis, strikes, offs, len(walk.keypoints_m)),
               step_errors(analysis.summary, step_time, step_length), cycle_rmse_deg(analysis, truth_deg, strikes))


def rendered_cases(model: str, view: str):
    """The rendered walk through the lens's field of view (the fixtures' README gives it), then
    the default 65 deg (a zoomed-in camera taken as wider shortens a walk along the view)."""
    truth = np.load(SHARED / f"fixtures/synthetic/walk_{view}_truth.npz", allow_pickle=True)
    track = track_video(SHARED / f"fixtures/synthetic/walk_{view}.mp4",
                        TrackingSettings(SHARED / f"models/pose_landmarker_{model}.task", num_poses=1))
    strikes = {s: truth[f"heel_strike_frames_{s}"].astype(float) for s in SIDES}
    offs = {s: truth[f"toe_off_frames_{s}"].astype(float) for s in SIDES}
    truth_deg = {key: truth[f"{name}_deg"] - truth[f"rest_pose_{name}_deg"]
                 for key, name in (("hip_deg", "hip_flexion"), ("knee_deg", "knee_flexion_sagittal"),
                                   ("ankle_deg", "ankle_dorsiflexion"))}
    step_time = {s: float(np.mean(truth["step_times_s"])) for s in SIDES}
    step_length = {s: float(truth["step_length_mean_m"]) for s in SIDES}
    lens_deg = math.degrees(2 * math.atan(truth["camera_K"][0, 2] / truth["camera_K"][0, 0]))
    for label, fov_deg in ((f"lens {lens_deg:.0f}", lens_deg), ("65 deg", None)):
        seen = track_walk(track, fov_deg=fov_deg)
        analysis = analyse_walk(seen)
        yield (f"rendered {view}, {model}, {label}", event_errors_frames(analysis, strikes, offs, len(seen.points_m)),
               step_errors(analysis.summary, step_time, step_length), cycle_rmse_deg(analysis, truth_deg, strikes))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=6)
    parser.add_argument("--model", default="full", choices=("lite", "full", "heavy"))
    parser.add_argument("--views", nargs="*", default=["side", "front", "away"], help="rendered walks")
    args = parser.parse_args()
    print(f"{'case':36s} {'events mean/max fr':>18s}" + "".join(f"{k:>14s}" for k in STENUM))
    print(f"{'Stenum et al. 2021 (mean abs error)':36s} {'':>18s}" + "".join(f"{v:14.3f}" for v in STENUM.values()))
    for name, events, (time_s, length_m), angles in [*deepmimic_cases(args.seeds),
                                                          *(case for view in args.views for case in rendered_cases(args.model, view))]:
        figures = {"step_time_s": time_s, "step_length_m": length_m, **angles}
        print(f"{name:36s} {f'{events.mean():.2f}/{events.max():.2f}':>18s}"
              + "".join(f"{figures[k]:14.3f}" for k in STENUM)
              + "   / Stenum: " + " ".join(f"{figures[k] / v:.2f}" for k, v in STENUM.items()))


if __name__ == "__main__":
    main()
