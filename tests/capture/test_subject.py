"""The follow rule on constructed detections: gating, lost subject, re-acquisition."""
from __future__ import annotations

import numpy as np
import pytest

from ras_mocap.capture.detector import Detection
from ras_mocap.capture.subject import SubjectSelector

SIZE = (1000, 500)


def person(centre_x_px: float, height_px: float = 200.0) -> Detection:
    """33 landmarks spread over a body of `height_px`, hips at (centre_x_px, 300)."""
    xy = np.zeros((33, 3))
    xy[:, 1] = np.linspace(300 - 0.6 * height_px, 300 + 0.4 * height_px, 33)
    xy[:, 0] = centre_x_px
    xy[[23, 24], 1] = 300
    xy[:, :2] /= SIZE
    return Detection(image_xyz=xy, visibility=np.ones(33), presence=np.ones(33), world_xyz_m=np.zeros((33, 3)))


def test_follow_keeps_the_walker_and_ignores_a_far_bystander():
    selector = SubjectSelector("follow", SIZE)
    walker_x = 800.0
    for i in range(30):  # walking left at 300 px/s, a larger bystander appears at frame 10
        t = i / 30
        walker_x -= 10
        people = [person(walker_x)] + ([person(150, 260)] if i >= 10 else [])
        chosen = selector.choose(people[::-1] if i % 2 else people, t)
        assert chosen is not None and chosen.image_xyz[0, 0] * SIZE[0] == pytest.approx(walker_x)


def test_a_lost_subject_is_not_replaced_until_the_reacquire_time():
    selector = SubjectSelector("follow", SIZE, reacquire_after_s=1.0)
    selector.choose([person(500)], 0.0)
    assert selector.choose([person(900)], 0.5) is None  # far away: not her
    assert selector.choose([person(520)], 0.6) is not None  # she is back near where she was
    stranger = person(0)  # farther than the gate has grown by 1.7 s
    assert selector.choose([stranger], 1.0) is None
    assert selector.choose([stranger], 1.7) is stranger  # lost for over 1 s: take who is there


def test_unknown_mode_is_an_error():
    with pytest.raises(ValueError, match="follow, largest, central"):
        SubjectSelector("tallest")
