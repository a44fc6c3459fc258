"""A jog with exactly known motion, for the humanoid of tests/groundtruth.py: one DeepMimic-format
cycle (humanoid.urdf's joints, the same layout as ../shared/fixtures/motion/humanoid3d_walk.txt).

The shared fixtures hold a walk only. This cycle has what running adds: a flight phase between
the stances (duty factor 0.38), a knee bent over 100 deg in swing, the heel, then the flat foot,
then the toe planted. Joint angles are periodic splines through textbook jogging values; the
root path is built so that the planted point never slides (it pivots on the heel, holds flat,
pivots on the toe), and between the stances the pelvis flies a ballistic arc. Nothing here is
a measured run: it is a motion whose truth is exact, to test the fit and the gait analysis on.

    python -m tests.jog tests/data/motion/jog.txt    # rewrite the committed cycle
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from scipy.interpolate import CubicSpline

from tests.groundtruth import forward_kinematics

CYCLE_S = 22 / 30  # 164 steps a minute
STANCE = 0.38  # of the cycle, each foot; the other lands at 0.5, so 0.12 of flight twice a cycle
HEEL_ROCKER, TOE_ROCKER = 0.06, 0.22  # the foot turns on the heel until, and on the toe after
LEAN_DEG = 6.0  # the trunk leans forward
GRAVITY_M_S2 = 9.81
# (phase of the leg's own cycle from its heel strike, deg): the thigh from the vertical (+ forward)
# and the knee's flexion
THIGH_DEG = [(0.0, 24), (0.2, 13), (0.38, -17), (0.46, -21), (0.62, 0), (0.82, 32), (0.94, 27)]
KNEE_DEG = [(0.0, 14), (0.13, 38), (0.26, 28), (0.38, 20), (0.5, 62), (0.68, 104), (0.84, 48), (0.95, 16)]
FOOT_STRIKE_DEG, FOOT_OFF_DEG, SWING_LIFT_DEG = 8.0, -58.0, 12.0  # the foot's pitch (+ toes up); ankle in swing
ELBOW_DEG = 80.0
HEEL, TOE = "heel", "foot_index"


def _periodic(points: list[tuple[float, float]]) -> CubicSpline:
    phase, value = np.array(points + [(1.0 + points[0][0], points[0][1])]).T
    return CubicSpline(phase, np.radians(value), bc_type="periodic")


def _ramp(phase: np.ndarray, start: float, stop: float) -> np.ndarray:
    """0 before start, 1 after stop, a half cosine between."""
    s = np.clip((phase - start) / (stop - start), 0.0, 1.0)
    return 0.5 - 0.5 * np.cos(np.pi * s)


def _leg_angles(phase: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Thigh from vertical, knee flexion, ankle dorsiflexion (rad) of a leg at its own phase."""
    thigh_at, knee_at = _periodic(THIGH_DEG), _periodic(KNEE_DEG)
    thigh, knee = thigh_at(phase), knee_at(phase)
    shank = thigh - knee
    stance_pitch = np.radians(FOOT_STRIKE_DEG * (1 - _ramp(phase, 0.0, HEEL_ROCKER))
                              + FOOT_OFF_DEG * _ramp(phase, TOE_ROCKER, STANCE))
    ankle = stance_pitch - shank
    # in swing, from the ankle at toe off to the ankle at the next heel strike, lifted between
    off, strike = (float(np.radians(d) - (thigh_at(p) - knee_at(p)))
                   for d, p in ((FOOT_OFF_DEG, STANCE), (FOOT_STRIKE_DEG, 1.0)))
    s = np.clip((phase - STANCE) / (1.0 - STANCE), 0.0, 1.0)
    swing = off + (strike - off) * (3 * s**2 - 2 * s**3) + np.radians(SWING_LIFT_DEG) * np.sin(np.pi * s)
    return thigh, knee, np.where(phase < STANCE, ankle, swing)


def _about_z(angle_rad: np.ndarray) -> np.ndarray:
    """(N, 4) quaternions w, x, y, z of rotations about DeepMimic's z (the body's right)."""
    half = 0.5 * np.asarray(angle_rad)
    zero = np.zeros_like(half)
    return np.stack([np.cos(half), zero, zero, np.sin(half)], axis=-1)


def _pose_frames(time_s: np.ndarray) -> np.ndarray:
    """(N, 44) frames of the joint angles at time_s, the root at the origin."""
    n = len(time_s)
    lean = -np.radians(LEAN_DEG) * np.ones(n)  # about z: + turns the up axis backwards
    columns = [np.full((n, 1), 1.0 / 30), np.zeros((n, 3)), _about_z(lean), _about_z(np.zeros(n)), _about_z(np.zeros(n))]
    legs = {side: _leg_angles((time_s / CYCLE_S + offset) % 1.0) for side, offset in (("right", 0.0), ("left", 0.5))}
    for side in ("right", "left"):
        thigh, knee, ankle = legs[side]
        arm = -0.8 * thigh  # the arm swings against its own leg
        columns += [_about_z(thigh - lean), -knee[:, None], _about_z(ankle), _about_z(arm - lean),
                    np.radians(ELBOW_DEG + 10 * np.sin(2 * np.pi * time_s / CYCLE_S))[:, None]]
    return np.concatenate(columns, axis=1)


def _phase_of(time_s: float, side: str) -> float:
    return (time_s / CYCLE_S + (0.0 if side == "right" else 0.5)) % 1.0


def jog_frames(steps_per_frame: int = 40, fps: float = 30.0) -> np.ndarray:
    """One cycle as DeepMimic frames (T + 1, 44), the last the first moved on by the cycle's
    displacement. The root follows the planted point, worked out `steps_per_frame` times a frame."""
    n = int(round(CYCLE_S * fps))
    rate = fps * steps_per_frame
    fine_s = np.arange(2 * n * steps_per_frame + 1) / rate  # two cycles: the second starts settled
    frames = _pose_frames(fine_s)
    points = forward_kinematics(frames)  # the root at the origin
    root = np.zeros((len(fine_s), 3))
    anchor: tuple[str, np.ndarray] | None = None  # the planted point, and where it is
    flight: tuple[int, np.ndarray, np.ndarray] | None = None  # taken off at, from, with velocity
    for i, t in enumerate(fine_s):
        planted = [side for side in ("right", "left") if _phase_of(t, side) < STANCE]
        if not planted:
            if flight is None:  # take off: fly to the next heel strike, landing on that heel
                land = int(round(np.ceil(t / (0.5 * CYCLE_S)) * 0.5 * CYCLE_S * rate))
                landing = next(side for side in ("right", "left") if _phase_of(land / rate, side) < 1e-6)
                flight_s = (land - (i - 1)) / rate
                velocity = (root[i - 1] - root[i - 2]) * rate
                rise = -points[f"{landing}_{HEEL}"][land, 1] - root[i - 1, 1]
                velocity[1] = (rise + 0.5 * GRAVITY_M_S2 * flight_s**2) / flight_s
                flight, anchor = (i - 1, root[i - 1].copy(), velocity), None
            start, position, velocity = flight
            tau = (i - start) / rate
            root[i] = position + velocity * tau - [0.0, 0.5 * GRAVITY_M_S2 * tau**2, 0.0]
            continue
        side = planted[0]
        point = f"{side}_{HEEL if _phase_of(t, side) < HEEL_ROCKER else TOE}"
        if anchor is None:  # a heel strike: where the flight (or the start) put the root
            if flight is None:
                here = np.array([0.0, -points[point][i, 1], 0.0])
            else:
                start, position, velocity = flight
                tau = (i - start) / rate
                here = position + velocity * tau - [0.0, 0.5 * GRAVITY_M_S2 * tau**2, 0.0]
            where = here + points[point][i]
            anchor, flight = (point, where * [1, 0, 1]), None
        elif anchor[0] != point:  # heel to toe, the foot flat: the toe is down where it is
            anchor = (point, (root[i - 1] + points[point][i - 1]) * [1, 0, 1])
        root[i] = anchor[1] - points[anchor[0]][i]
    cycle = slice(n * steps_per_frame, 2 * n * steps_per_frame + 1, steps_per_frame)
    out = frames[cycle].copy()
    out[:, 1:4] = root[cycle] - root[cycle][0] * [1, 0, 1]
    out[:, 0] = 1.0 / fps
    return out


def write_jog(path: Path) -> Path:
    path.write_text(json.dumps({"Loop": "wrap", "Frames": np.round(jog_frames(), 6).tolist()}, indent=0) + "\n")
    return path


if __name__ == "__main__":
    print(write_jog(Path(sys.argv[1])))
