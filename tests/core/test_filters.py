import numpy as np
import pytest

from ras_mocap.core.errors import InputError

from ras_mocap.core.filters import OneEuroFilter, fill_gaps_linear, fill_short_gaps, lowpass_zero_phase


def test_gaps_are_interpolated_and_ends_held():
    values = np.array([np.nan, 1.0, np.nan, np.nan, 4.0, np.nan])[:, None]
    valid = np.isfinite(values[:, 0])
    filled = fill_gaps_linear(values, valid)
    np.testing.assert_allclose(filled[:, 0], [1.0, 1.0, 2.0, 3.0, 4.0, 4.0])


def test_no_valid_frame_is_an_error():
    with pytest.raises(InputError, match="no valid frame"):
        fill_gaps_linear(np.zeros((3, 2)), np.zeros(3, bool))


def test_short_gaps_are_bridged_long_gaps_and_ends_stay_gaps():
    time_s = np.arange(12) / 10.0
    values = np.arange(12, dtype=float)[:, None]
    valid = np.array([0, 1, 1, 0, 1, 0, 0, 0, 0, 1, 1, 0], bool)
    filled, now_valid = fill_short_gaps(values, valid, time_s, max_gap_s=0.2)
    np.testing.assert_allclose(filled[3, 0], 3.0)  # one frame between 2 and 4: bridged
    assert np.isnan(filled[5:9]).all() and not now_valid[5:9].any()  # 0.5 s gap: left alone
    assert np.isnan(filled[[0, 11]]).all()  # nothing invented before the first / after the last
    assert now_valid.sum() == valid.sum() + 1


def test_zero_phase_lowpass_keeps_slow_motion_and_removes_jitter():
    fps = 60.0
    time_s = np.arange(600) / fps
    slow = np.sin(2 * np.pi * 1.0 * time_s)
    jitter = np.random.default_rng(0).normal(0, 0.05, time_s.shape)
    valid = np.ones(600, bool)
    passed = lowpass_zero_phase(slow[:, None], valid, fps, cutoff_hz=6.0)[:, 0]
    assert np.abs(passed - slow)[30:-30].max() < 0.01  # no lag, no amplitude loss at 1 Hz
    out = lowpass_zero_phase((slow + jitter)[:, None], valid, fps, cutoff_hz=6.0)[:, 0]
    assert np.std(np.diff(out, 2)) < 0.1 * np.std(np.diff(slow + jitter, 2))


def test_lowpass_does_not_smooth_across_gaps():
    values = np.concatenate([np.zeros(40), np.ones(40)])[:, None]
    valid = np.ones(80, bool)
    valid[38:42] = False
    out = lowpass_zero_phase(values, valid, 30.0, 6.0)
    assert np.isnan(out[38:42]).all()
    np.testing.assert_allclose(out[:38], 0.0, atol=1e-9)  # the step on the far side never leaks in
    np.testing.assert_allclose(out[42:], 1.0, atol=1e-9)
    with pytest.raises(InputError, match="half the frame rate"):
        lowpass_zero_phase(values, valid, 30.0, 15.0)


def test_one_euro_smooths_at_rest_follows_motion_and_passes_gaps():
    rng = np.random.default_rng(1)
    fps = 30.0
    still = OneEuroFilter()
    noisy = rng.normal(0, 0.01, (90, 3))
    out = np.array([still(x, i / fps) for i, x in enumerate(noisy)])
    assert out[30:].std() < 0.5 * noisy[30:].std()
    moving = OneEuroFilter()
    ramp = np.linspace(0, 3, 90)[:, None] * [1.0, 0, 0]  # 1 m/s
    out = np.array([moving(x, i / fps) for i, x in enumerate(ramp)])
    assert np.abs(out - ramp)[30:, 0].max() < 0.1  # lag under 0.1 s at walking speed
    assert np.isnan(moving(np.full(3, np.nan), 3.0)).all()
    np.testing.assert_allclose(moving(np.ones(3), 4.0), np.ones(3))  # a long gap restarts the filter
