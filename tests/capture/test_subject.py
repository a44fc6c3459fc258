"""The subject rules on constructed people (the logic; real footage is in test_people.py and
test_tracking.py): live following, and each branch of `auto`."""
from __future__ import annotations

import numpy as np
import pytest


from ras_mocap.capture.detector import Detection
from ras_mocap.capture.identities import Sighting
from ras_mocap.capture.people import People, Person
from ras_mocap.capture.subject import LiveSubject, SubjectChoice, choose_subject
from ras_mocap.core.errors import InputError

SIZE = (1000, 500)
FPS = 30.0


def body(hip_x_px: float, height_px: float = 200.0, stride_phase: float | None = None) -> np.ndarray:
    """(33, 2) keypoints of an upright body with hips at (hip_x_px, 300); the ankles apart by
    0.3 body heights times sin(stride_phase) when walking."""
    xy = np.zeros((33, 2))
    xy[:, 0] = hip_x_px
    xy[:, 1] = np.linspace(300 - 0.45 * height_px, 300 + 0.45 * height_px, 33)
    xy[[11, 12], 1] = 300 - 0.29 * height_px  # shoulders
    xy[[23, 24], 1] = 300  # hips
    xy[[25, 26], 1] = 300 + 0.245 * height_px  # knees
    xy[[27, 28], 1] = 300 + 0.49 * height_px  # ankles
    if stride_phase is not None:
        xy[27, 0] += 0.15 * height_px * np.sin(stride_phase)
        xy[28, 0] -= 0.15 * height_px * np.sin(stride_phase)
    return xy


def detection(keypoints_px: np.ndarray) -> Detection:
    xyz = np.zeros((33, 3))
    xyz[:, :2] = keypoints_px / SIZE
    return Detection(image_xyz=xyz, visibility=np.ones(33), presence=np.ones(33), world_xyz_m=np.zeros((33, 3)))


def test_live_follows_the_first_largest_person_and_never_a_later_one():
    live = LiveSubject(SIZE)
    walker_x = 800.0
    for i in range(60):  # walking left at 300 px/s; a larger person walks in at frame 10
        walker_x -= 10
        people = [detection(body(walker_x))] + ([detection(body(150 + 2 * i, 260))] if i >= 10 else [])
        chosen = live.choose(people[::-1] if i % 2 else people, i, i / FPS)
        assert chosen is not None and chosen.image_xyz[23, 0] * SIZE[0] == pytest.approx(walker_x)


def test_live_keeps_a_lost_subject_until_the_reacquire_time_and_takes_a_pick():
    live = LiveSubject(SIZE, reacquire_after_s=1.0)
    live.choose([detection(body(500))], 0, 0.0)
    assert live.choose([detection(body(900))], 15, 0.5) is None  # far away: not her
    assert live.choose([detection(body(520))], 18, 0.6) is not None  # she is back near where she was
    stranger = detection(body(0))
    assert live.choose([stranger], 30, 1.0) is None
    assert live.choose([stranger], 51, 1.7) is stranger  # lost for over 1 s: take who is there
    here = [detection(body(0)), detection(body(700))]
    live.choose(here, 52, 1.73)
    live.pick(live.people[1][0])  # the number shown on the preview for the one at x = 700
    assert live.choose(here, 53, 1.77) is here[1]


def _person(person_id: int, frames: np.ndarray, keypoints: list[np.ndarray], n_samples: int) -> Person:
    sightings = [Sighting(int(f), f / FPS, kp, np.ones(33)) for f, kp in zip(frames, keypoints)]
    return Person.of(person_id, sightings, n_samples, 6 / FPS, SIZE)


def _people(*persons: Person, n_samples: int = 40) -> People:
    return People(list(persons), np.arange(n_samples) * 6, FPS, SIZE)


FRAMES = np.arange(40) * 6  # 8 s sampled at 5 Hz


def walker(person_id: int, height_px: float = 200.0) -> Person:
    """Walks right at 100 px/s, a step every 0.6 s."""
    kps = [body(100 + 100 * f / FPS, height_px, np.pi * f / FPS / 0.6) for f in FRAMES]
    return _person(person_id, FRAMES, kps, len(FRAMES))


def bystander(person_id: int, height_px: float, sway_px: float = 1.0) -> Person:
    rng = np.random.default_rng(person_id)
    kps = [body(600 + sway_px * rng.standard_normal(), height_px) for _ in FRAMES]
    return _person(person_id, FRAMES, kps, len(FRAMES))


def dancer(person_id: int, height_px: float = 200.0) -> Person:
    """Moves a lot in place: arms and legs, hips swaying, no travel."""
    kps = []
    for f in FRAMES:
        kp = body(400 + 20 * np.sin(f / 5), height_px)
        kp[13:23] += 0.4 * height_px * np.array([np.sin(f / 3), np.cos(f / 3)])
        kps.append(kp)
    return _person(person_id, FRAMES, kps, len(FRAMES))


def test_auto_takes_the_walker_over_a_larger_bystander_and_a_small_far_walker():
    people = _people(bystander(1, 320), walker(2), walker(3, height_px=80))
    subject, reason = choose_subject(people)
    assert subject.id == 2 and reason.startswith("walks")
    assert choose_subject(people, SubjectChoice("largest"))[0].id == 1


def test_auto_without_a_walker_takes_who_moves_most_never_the_still_one():
    people = _people(bystander(1, 320), dancer(2))
    subject, reason = choose_subject(people)
    assert subject.id == 2 and reason.startswith("moves most")


def test_auto_when_nobody_moves_takes_the_largest():
    people = _people(bystander(1, 200), bystander(2, 260))
    assert choose_subject(people) == (people.persons[1], "nobody moves: the largest person")


def test_a_pick_by_id_or_by_pixel():
    people = _people(bystander(1, 320), walker(2))
    assert choose_subject(people, SubjectChoice.parse("1"))[0].id == 1
    assert choose_subject(people, SubjectChoice.parse("auto", "600,300@12"))[0].id == 1
    assert choose_subject(people, SubjectChoice.parse("auto", "104,300"))[0].id == 2
    with pytest.raises(InputError, match=r"no person 7 in this clip \(people found: 1, 2\)"):
        choose_subject(people, SubjectChoice.parse("7"))
    with pytest.raises(InputError, match="X,Y or X,Y@FRAME"):
        SubjectChoice.parse("auto", "here")
    with pytest.raises(InputError, match="auto, largest, central or a person id"):
        SubjectChoice.parse("tallest")
