"""The whole-clip fit of a jog (tests/jog.py: exact motion, 164 steps a minute, a flight phase
between stances) seen through virtual cameras at 0, 30, 60 and 90 deg, with the observations of
test_fit_views (BlazePose-like: 2D noise of 1% of body height, world depth halved).

A run's stride is shorter than a walk's, so the fit works on its time scale (fit/tempo.py):
its smoothness and its contacts' windows follow the stride. Run with -s to see the figures.
The bounds are what the fit reaches (seed 1, in the comments); the gait analysis of the fitted
body holds cadence and speed within 3%."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from ras_mocap.core.fit.clip_fit import FitSettings
from ras_mocap.core.fit.tempo import stride_period_s
from ras_mocap.core.fit.track_fit import FittedBody, fit_track
from ras_mocap.core.gait.analysis import analyse
from ras_mocap.core.skeleton import KP
from tests.conftest import SHARED
from tests.groundtruth import ViewCamera, blazepose_like, sagittal_angles_deg, skate_per_contact_m, truth_walk
from tests.jog import CYCLE_S

JOG = Path(__file__).parents[1] / "data" / "motion" / "jog.txt"
WALK = SHARED / "fixtures" / "motion" / "humanoid3d_walk.txt"
WALK_CYCLE_S = 38 / 30  # the DeepMimic walk's cycle

# view: (hip, knee, ankle RMSE deg, median skate a stance cm) bounds; measured in the comments
BOUNDS = {
    0: (2.5, 3.5, 5.0, 1.0),  # hip 2.0 / 1.7, knee 2.9 / 2.7, ankle 4.1 / 4.2, skate 0.5 (a walk's pace: knee 5.3 / 5.0, 3.7 cm)
    30: (3.5, 5.0, 6.5, 1.0),  # 2.8 / 2.1, 4.2 / 2.9, 5.0 / 5.5, 0.5 (7.3 / 6.3, 6.6 cm)
    60: (4.5, 5.5, 6.5, 1.0),  # 3.7 / 2.7, 5.2 / 4.7, 5.1 / 5.0, 0.6 (9.7 / 8.7, 5.5 cm)
    90: (5.0, 8.0, 7.5, 1.0),  # 4.4 / 4.2, 7.5 / 7.5, 6.6 / 6.3, 0.6 (11.1 / 10.4, 7.3 cm)
}


@pytest.fixture(scope="module")
def jog():
    return truth_walk(JOG, seconds=4)


def _camera(walk, azimuth_deg: float) -> ViewCamera:
    middle = tuple(np.nanmean(walk.keypoints_m.reshape(-1, 3), axis=0) * [1, 1, 0])
    return ViewCamera(azimuth_deg, middle, distance_m=9.0)  # the jog covers 11 m


def _figures(walk, camera: ViewCamera, settings: FitSettings = FitSettings()) -> tuple[dict, float, FittedBody]:
    body = fit_track(blazepose_like(walk.keypoints_m, walk.fps, camera, seed=1), focal_px=camera.focal_px,
                     settings=settings)
    got, want = sagittal_angles_deg(body.camera_m @ camera.rotation), sagittal_angles_deg(walk.keypoints_m)
    rmse = {k: np.sqrt(np.mean((got[k] - want[k]) ** 2, axis=0)) for k in want}
    skate_cm = 100 * np.concatenate([
        skate_per_contact_m(body.world_m[:, KP[f"{s}_heel"]], body.world_m[:, KP[f"{s}_foot_index"]], walk.contact[:, i])
        for i, s in enumerate(("left", "right"))])
    return rmse, float(np.median(skate_cm)), body


@pytest.mark.parametrize("azimuth_deg", sorted(BOUNDS))
def test_a_jog_seen_from_any_view(jog, azimuth_deg):
    rmse, skate_cm, body = _figures(jog, _camera(jog, azimuth_deg))
    meta, gait = body.meta, analyse(body.world_m, jog.fps).summary
    truth = analyse(jog.keypoints_m, jog.fps).summary  # 163.6 steps a minute, 2.74 m/s
    print(f"\n{azimuth_deg:2d} deg: hip {rmse['hip'].round(1)} knee {rmse['knee'].round(1)} ankle {rmse['ankle'].round(1)}"
          f" skate {skate_cm:.2f} cm (median of the stances), stride {meta['stride_s']} s,"
          f" cadence {gait['cadence_steps_per_min']:.1f} ({truth['cadence_steps_per_min']:.1f}) steps/min,"
          f" speed {gait['speed_m_s']:.2f} ({truth['speed_m_s']:.2f}) m/s")
    hip, knee, ankle, skate_bound = BOUNDS[azimuth_deg]
    assert np.all(rmse["hip"] <= hip) and np.all(rmse["knee"] <= knee) and np.all(rmse["ankle"] <= ankle), rmse
    assert skate_cm <= skate_bound
    assert meta["stride_s"] == pytest.approx(CYCLE_S, rel=0.02)
    for figure in ("cadence_steps_per_min", "speed_m_s"):  # measured within 0.2% and 0.8%
        assert gait[figure] == pytest.approx(truth[figure], rel=0.03), figure


def test_a_jog_fitted_at_a_walks_pace_lags(jog):
    """Held to a walk's time scale (smoothness and contact windows), the jog's knees are worse
    and its planted feet slide: the pace is what the gain above comes from."""
    camera = _camera(jog, 30)
    paced = _figures(jog, camera)
    walking = _figures(jog, camera, replace(FitSettings(), walking_stride_s=0.01))  # every stride counts as a walk's
    assert np.all(paced[0]["knee"] + 1.0 <= walking[0]["knee"]), (paced[0]["knee"], walking[0]["knee"])
    assert 2 * paced[1] <= walking[1], (paced[1], walking[1])


@pytest.mark.parametrize("azimuth_deg", [0, 45, 90, 180])
def test_the_stride_is_read_from_the_image_from_any_view(jog, azimuth_deg):
    """One stride, not a step or two strides, for the walk and the jog alike; a walk keeps a
    walk's pace (its stride is over FitSettings.walking_stride_s), and a body that stands still
    has no stride."""
    walk = truth_walk(WALK, seconds=4)
    for motion, cycle_s in ((jog, CYCLE_S), (walk, WALK_CYCLE_S)):
        track = blazepose_like(motion.keypoints_m, motion.fps, _camera(motion, azimuth_deg), seed=3)
        assert stride_period_s(track.image_xy_px, track.found, track.sample_rate_hz) == pytest.approx(cycle_s, rel=0.02)
    assert WALK_CYCLE_S > FitSettings().walking_stride_s > CYCLE_S
    standing = np.repeat(walk.keypoints_m[:1], 120, axis=0)
    track = blazepose_like(standing, walk.fps, _camera(walk, azimuth_deg), seed=3)
    assert stride_period_s(track.image_xy_px, track.found, track.sample_rate_hz) is None
