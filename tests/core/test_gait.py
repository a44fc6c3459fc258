"""Gait analysis against walks with exact truth: the DeepMimic walk (forward kinematics, contact
from the true foot heights and sagittal speeds) noise-free and seen through a noisy side camera,
and the rendered walk video through the whole pipeline (video -> track -> gait)."""
from __future__ import annotations

import json

import numpy as np
import pytest

from ras_mocap.core.gait import analyse, analyse_walk
from ras_mocap.core.gait.cycles import normalised_cycles
from ras_mocap.core.gait.events import GaitEvents, detect_events, strikes_alternate, velocity_events
from ras_mocap.core.gait.kinematics import walking_direction
from ras_mocap.core.gait.report import write_report
from ras_mocap.core.gait.walk import track_walk
from ras_mocap.core.filters import valid_runs
from tests.conftest import SHARED, WALK_SIDE_TRUTH
from tests.groundtruth import SideCamera, noisy_track, sagittal_angles_deg, truth_walk

WALK = SHARED / "fixtures" / "motion" / "humanoid3d_walk.txt"
CAMERA = SideCamera.seeing(-0.4, 10.1)  # the whole 10 s walk in view
SIDES = ("left", "right")


@pytest.fixture(scope="module")
def walk():
    return truth_walk(WALK, seconds=10, camera=CAMERA)


def _truth_events(contact: np.ndarray) -> dict[str, dict[str, np.ndarray]]:
    """Heel strike = first frame of each contact, toe-off = first frame after it (inside the clip).
    The gait tests pass walk.contact_sagittal: the contact as a side view sees it."""
    out = {"heel_strike": {}, "toe_off": {}}
    for column, side in enumerate(SIDES):
        runs = valid_runs(contact[:, column])
        out["heel_strike"][side] = np.array([a for a, _ in runs if a > 0], float)
        out["toe_off"][side] = np.array([b for _, b in runs if b < len(contact)], float)
    return out


def _event_errors_frames(analysis, truth_events) -> np.ndarray:
    """For every true event, the distance to the nearest detected one of its kind and foot."""
    errors = []
    for kind in ("heel_strike", "toe_off"):
        found = getattr(analysis.events, kind)
        for side in SIDES:
            truth = truth_events[kind][side]
            # events at the very ends of the walk have no stride around them to be found in
            inner = truth[(truth > analysis.fps * 0.5) & (truth < len(analysis.angles_deg["trunk_lean"]) - analysis.fps * 0.5)]
            errors += [np.min(np.abs(found[side] - t)) if len(found[side]) else np.inf for t in inner]
    return np.array(errors)


def _cadence(truth_events, fps) -> float:
    strikes = np.sort(np.concatenate([truth_events["heel_strike"][s] for s in SIDES]))
    return 60.0 * fps / np.mean(np.diff(strikes))


def test_noise_free_walk(walk):
    analysis = analyse(walk.keypoints_m, walk.fps, lateral_reliable=True)
    truth = _truth_events(walk.contact_sagittal)
    errors = _event_errors_frames(analysis, truth)
    assert len(errors) >= 24 and errors.max() <= 1.0, errors
    assert analysis.summary["cadence_steps_per_min"] == pytest.approx(_cadence(truth, walk.fps), rel=0.01)
    want = sagittal_angles_deg(walk.keypoints_m)
    for name, key in (("hip_flexion", "hip"), ("knee_flexion", "knee"), ("ankle_dorsiflexion", "ankle")):
        rmse = np.sqrt(np.mean((analysis.angles_deg[name] - want[key]) ** 2, axis=0))
        assert np.all(rmse <= 1.0), (name, rmse)
    stride = walk.root_m[38:, 0] - walk.root_m[:-38, 0]  # one cycle is 38 frames
    for side in SIDES:
        assert analysis.summary[side]["stride_length_m"]["mean"] == pytest.approx(stride.mean(), rel=0.01)
        assert analysis.summary[side]["stride_length_m"]["n"] >= 6
    assert analysis.summary["left"]["step_width_m"]["mean"] > 0.05  # reported: the 3D truth shows it
    abduction = analysis.angles_deg["hip_abduction"]  # frontal: the same range on both legs of a symmetric walk
    assert np.abs(abduction).max() < 15.0 and abs(np.ptp(abduction[:, 0]) - np.ptp(abduction[:, 1])) < 1.0


def test_velocity_fallback_finds_the_strikes(walk):
    truth = _truth_events(walk.contact_sagittal)
    for side in SIDES:
        strikes, offs = velocity_events(walk.keypoints_m, walking_direction(walk.keypoints_m), walk.fps, side)
        for kind, found in (("heel_strike", strikes), ("toe_off", offs)):
            errors = [np.min(np.abs(found - t)) for t in truth[kind][side]]
            assert np.max(errors) <= 3.5, (side, kind, errors)  # a fallback: coarser than Zeni + contact


def test_strikes_alternate_on_a_walk_and_not_when_two_come_together(walk):
    """The walk's own events alternate; the lifted landmarks' events seen from behind (the two
    feet's first strikes two frames apart) and a missed strike do not."""
    assert strikes_alternate(detect_events(walk.keypoints_m, walking_direction(walk.keypoints_m), walk.fps))
    offs = {"left": np.array([3.0]), "right": np.array([22.0])}
    for left, right in (([10.1, 47.1, 85.4], [12.2, 37.4, 63.0]), ([18.0, 94.0], [37.0, 75.0])):
        assert not strikes_alternate(GaitEvents({"left": np.array(left), "right": np.array(right)}, offs, {}))
    assert strikes_alternate(GaitEvents({"left": np.array([18.0, 56.0, 94.0]), "right": np.array([37.0, 75.0])}, offs, {}))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_noisy_walk_seen_from_the_side(walk, seed):
    """1.7 cm RMS keypoint noise, through the track cleaning and the side camera's 2D projection."""
    seen = track_walk(noisy_track(walk, CAMERA, noise_m=0.017, seed=seed))
    analysis = analyse_walk(seen)
    timing_m, fps = seen.event_points_m, seen.fps  # what times the events
    truth = _truth_events(walk.contact_sagittal)
    errors = _event_errors_frames(analysis, truth)
    # the issue asks every event within 2 frames: all 174 are over seeds 0-5 (mean 0.52-0.70, max 1.94
    # frames) with the camera seeing the whole walk (the 8 m default camera: 171, the others 2.2-2.4 off)
    assert np.mean(errors <= 2.0) >= 0.95 and errors.mean() <= 1.0 and errors.max() <= 2.5, errors
    forward = walking_direction(timing_m)
    fallback = []  # the velocity fallback on its own is coarser: measured mean 1.7-1.9 frames, max 3.9
    for side in SIDES:
        for kind, found in zip(("heel_strike", "toe_off"), velocity_events(timing_m, forward, fps, side)):
            inner = [t for t in truth[kind][side] if fps * 0.5 < t < len(timing_m) - fps * 0.5]
            fallback += [np.min(np.abs(found - t)) for t in inner]
    assert np.mean(fallback) <= 2.0 and np.max(fallback) <= 4.5, fallback
    assert analysis.summary["cadence_steps_per_min"] == pytest.approx(_cadence(truth, walk.fps), rel=0.02)
    stride = (walk.root_m[38:, 0] - walk.root_m[:-38, 0]).mean()
    for side in SIDES:
        assert analysis.summary[side]["stride_length_m"]["mean"] == pytest.approx(stride, rel=0.05)
    want = sagittal_angles_deg(walk.keypoints_m)
    for name, key in (("hip_flexion", "hip"), ("knee_flexion", "knee"), ("ankle_dorsiflexion", "ankle")):
        rmse = np.sqrt(np.nanmean((analysis.angles_deg[name] - want[key]) ** 2, axis=0))
        assert np.all(rmse <= 4.0), (name, rmse)


def test_rendered_walk_video_through_the_pipeline(walk_side_tracks, tmp_path):
    truth = np.load(WALK_SIDE_TRUTH, allow_pickle=True)
    seen = track_walk(walk_side_tracks["full"])
    analysis = analyse_walk(seen)
    points_m, fps = seen.points_m, seen.fps
    errors = []
    for kind, key in (("heel_strike", "heel_strike_frames"), ("toe_off", "toe_off_frames")):
        for side in SIDES:
            for t in truth[f"{key}_{side}"]:
                if 0.5 * fps < t < len(points_m) - 0.5 * fps:
                    errors.append(np.min(np.abs(getattr(analysis.events, kind)[side] - t)))
    assert len(errors) >= 8 and max(errors) <= 1.0, errors  # issue: 2 frames; measured 0.57 (all defaults)
    summary = analysis.summary
    assert summary["view"] == "side" and "step_width_m" not in summary["left"]  # no width from a side view
    assert summary["cadence_steps_per_min"] == pytest.approx(float(truth["cadence_steps_per_min"]), rel=0.02)
    assert summary["speed_m_s"] == pytest.approx(float(truth["walking_speed_m_s"]), rel=0.05)
    for side in SIDES:
        assert summary[side]["step_length_m"]["mean"] == pytest.approx(float(truth["step_length_mean_m"]), rel=0.05)
        assert summary[side]["stride_length_m"]["mean"] == pytest.approx(float(truth["stride_length_m"]), rel=0.05)
        # truth 60.5 % / 21.1 % (23 and 8 frames of 38); measured 58.7 / 61.6 % and 20.9 / 20.4 %
        stance_pct, double_support_pct = _stance_and_double_support_pct(truth, side)
        assert abs(summary[side]["stance_pct"]["mean"] - stance_pct) <= 3.0
        assert abs(summary[side]["double_support_pct"]["mean"] - double_support_pct) <= 3.0
    # cycle curves against the truth's in clinical terms: the mesh's joint centres read hip 3.0 and
    # knee 7.7 deg flexion standing straight in its rest pose, which a clinician calls 0 (uncorrected
    # the RMSE is 6.9 / 3.7 and 9.0 / 6.2 deg); measured hip 4.6 / 2.8, knee 4.2 / 4.9 (left / right) on the fitted body
    for name, truth_name in (("hip_flexion", "hip_flexion"), ("knee_flexion", "knee_flexion_sagittal")):
        for column, side in enumerate(SIDES):
            truth_cycle = normalised_cycles(truth[f"{truth_name}_deg"][:, column],
                                            truth[f"heel_strike_frames_{side}"].astype(float)).mean(axis=0)
            truth_cycle -= truth[f"rest_pose_{truth_name}_deg"][column]
            rmse = np.sqrt(np.mean((analysis.cycles_deg[name][side].mean(axis=0) - truth_cycle) ** 2))
            assert rmse <= 5.0, (name, side, rmse)
    # the report files
    paths = write_report(analysis, tmp_path / "report", {"input": "walk_side.mp4"})
    assert json.loads(paths["summary.json"].read_text())["steps"] == summary["steps"]
    assert paths["cycles.png"].stat().st_size > 20_000
    assert sum(1 for _ in open(paths["angles.csv"])) == len(points_m) + 1
    assert abs(walking_direction(points_m)[0]) > 0.95  # across the image, as the walker goes


def _stance_and_double_support_pct(truth, side: str) -> tuple[float, float]:
    """The truth's stance and double support (initial + terminal) per complete stride of `side`."""
    other = "right" if side == "left" else "left"
    strikes, offs = truth[f"heel_strike_frames_{side}"], truth[f"toe_off_frames_{side}"]
    other_strikes, other_offs = truth[f"heel_strike_frames_{other}"], truth[f"toe_off_frames_{other}"]
    stance, double = [], []
    for h0, h1 in zip(strikes[:-1], strikes[1:]):
        to = offs[(offs > h0) & (offs < h1)][0]
        other_off = other_offs[(other_offs > h0) & (other_offs < h1)][0]
        other_strike = other_strikes[(other_strikes > h0) & (other_strikes < h1)][0]
        stance.append(100.0 * (to - h0) / (h1 - h0))
        double.append(100.0 * ((other_off - h0) + (to - other_strike)) / (h1 - h0))
    return float(np.mean(stance)), float(np.mean(double))


def test_a_stop_and_a_turn_split_the_walk_into_straight_passes(walk):
    """There, 1 s standing, and back: two passes, each analysed along its own direction."""
    there = walk.keypoints_m[:180]
    standing = np.repeat(there[-1:], 30, axis=0)
    turn = np.diag([-1.0, -1.0, 1.0])  # half a turn about the vertical
    back = (walk.keypoints_m[:180] - walk.keypoints_m[0, 0] * [1, 1, 0]) @ turn.T + there[-1, 0] * [1, 1, 0]
    analysis = analyse(np.concatenate([there, standing, back]), walk.fps)
    assert len(analysis.passes) == 2
    (a_start, a_stop), (b_start, b_stop) = analysis.passes
    assert a_stop <= 190 and b_start >= 195  # the standing second (frames 180-209) is mostly in neither
    assert analysis.directions[0][0] > 0.99 and analysis.directions[1][0] < -0.99
    for side in SIDES:
        assert analysis.summary[side]["stride_length_m"]["n"] >= 6  # strides of both passes
    truth_cadence = _cadence(_truth_events(walk.contact_sagittal), walk.fps)
    assert analysis.summary["cadence_steps_per_min"] == pytest.approx(truth_cadence, rel=0.01)


def test_walking_in_place_is_not_walking(walk):
    """The exact walk with its travel taken out of the legs (they step in place) while the pelvis
    drifts on at 0.4 m/s: the pelvis moves, the feet do not carry it - no walking parameters."""
    from ras_mocap.core.errors import InputError
    from ras_mocap.core.skeleton import KP

    travel = walk.root_m - walk.root_m[0]
    travel[:, 2] = 0.0
    drift = np.outer(np.arange(len(travel)) / walk.fps, [0.4, 0.0, 0.0])
    in_place = walk.keypoints_m - travel[:, None]
    upper = [i for name, i in KP.items() if not any(part in name for part in ("knee", "ankle", "heel", "foot"))]
    in_place[:, upper] += drift[:, None]
    assert analyse(walk.keypoints_m, walk.fps).summary["strides"] >= 12  # the walk itself is walking
    with pytest.raises(InputError, match=r"no walking found: frames \d+-\d+: the median stride is 0\.\d\d m"):
        analyse(in_place, walk.fps)


def test_a_summary_line_reads_figures_a_short_walk_lacks_as_dashes():
    from ras_mocap.core.gait.report import summary_line

    assert summary_line({"cadence_steps_per_min": None, "speed_m_s": None, "strides": 0}) == \
        "cadence - steps/min, speed - m/s, 0 strides"
    assert summary_line({"cadence_steps_per_min": 101.04, "speed_m_s": 1.234, "strides": 4}) == \
        "cadence 101.0 steps/min, speed 1.23 m/s, 4 strides"


def test_the_report_never_touches_pyplot(tmp_path):
    """pyplot's backend is shared with every other add-on in Blender: the plot is drawn on a
    Figure of its own, so writing a report never imports pyplot (checked in a fresh process)."""
    import subprocess
    import sys

    from tests.conftest import REPO

    script = ("import sys; from tests.groundtruth import truth_walk; from ras_mocap.core.gait import analyse;"
              "from ras_mocap.core.gait.report import write_report; from tests.core.test_gait import WALK, CAMERA;"
              "walk = truth_walk(WALK, seconds=10, camera=CAMERA);"
              f"write_report(analyse(walk.keypoints_m, walk.fps), {str(tmp_path)!r});"
              "print('pyplot' if 'matplotlib.pyplot' in sys.modules else 'no pyplot')")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip() == "no pyplot" and (tmp_path / "cycles.png").stat().st_size > 20_000
