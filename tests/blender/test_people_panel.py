"""Find People in Blender through the operator's execute path (real bpy, real model, real footage):
the people found fill the Subject choice, their contact sheet becomes an image, and Bake from
Video keys the person picked there."""
from __future__ import annotations

import time

import bpy
import numpy as np
import pytest

from ras_mocap.blender import running
from ras_mocap.blender.bake import TRACK_PROPERTY
from ras_mocap.blender.people import PEOPLE_IMAGE, PERSON_BASE, subject_items
from ras_mocap.blender.video_bake import VideoBake
from ras_mocap.capture.tracking import TrackingSettings
from ras_mocap.core.track import Track
from tests.conftest import POSE2SIM_VIDEO, SPORTS2D_VIDEO, model_path

START, END = 60, 130  # the man on the box and the walker are both in view


@pytest.fixture
def sports2d(addon, monkeypatch):
    monkeypatch.setenv("RAS_MOCAP_MODEL", str(model_path("full")))
    addon.video_path, addon.frame_start, addon.frame_end = str(SPORTS2D_VIDEO), START, END
    return addon


def _hip_y_px(action) -> np.ndarray:
    track = Track.load(action[TRACK_PROPERTY])
    return track.image_xy_px[track.found][:, [23, 24], 1].mean(axis=1)


def test_find_people_fills_the_subject_choice_and_the_bake_keys_the_pick(sports2d):
    assert bpy.ops.ras_mocap.find_people() == {"FINISHED"}
    items = {identifier: (name, tip) for identifier, name, tip, _ in subject_items(sports2d, bpy.context)}  # as shown
    people = [identifier for identifier in items if identifier.startswith("PERSON_")]
    assert len(people) >= 2 and {"AUTO", "LARGEST", "CENTRAL"} <= items.keys()
    assert "%" in items[people[0]][0] and sum("Auto takes this person" in tip for _, tip in items.values()) == 1
    sheet = bpy.data.images[PEOPLE_IMAGE]
    assert sheet.size[0] > 500 and sheet.size[1] > 100

    assert bpy.ops.ras_mocap.bake_video() == {"FINISHED"}  # Auto: the walker, in the lower half
    walker = bpy.data.actions[-1]
    assert np.median(_hip_y_px(walker)) > 600
    on_box = next(name for name in people if int(name.split("_")[1]) != Track.load(walker[TRACK_PROPERTY]).meta["subject_id"])
    sports2d.subject = on_box
    assert bpy.ops.ras_mocap.bake_video() == {"FINISHED"}  # the people pass is reused; the man on the box
    picked = bpy.data.actions[-1]
    assert picked is not walker and np.median(_hip_y_px(picked)) < 500
    assert Track.load(picked[TRACK_PROPERTY]).meta["subject_id"] == int(on_box.split("_")[1])


def test_a_person_found_in_another_video_is_refused(sports2d):
    bpy.ops.ras_mocap.find_people()
    sports2d["subject"] = PERSON_BASE + 1
    sports2d.video_path, sports2d.num_poses = str(POSE2SIM_VIDEO), 4
    with pytest.raises(RuntimeError, match="Person 1 was found in another video or with other settings"):
        bpy.ops.ras_mocap.bake_video()
    assert running.jobs() == [] and len(bpy.data.actions) == 0


def test_cancelling_during_the_people_pass_stops_every_thread(sports2d):
    job = VideoBake(SPORTS2D_VIDEO, TrackingSettings(model_path("full")))
    job.start()
    running.add(job)
    while job.progress == 0:
        job.tick()
        time.sleep(0.01)
    assert job.worker is None and "Finding people" in job.status
    job.stop()
    running.remove(job)
    assert len(bpy.data.actions) == 0  # (the conftest checks that no capture thread is left)
