"""Analyse Gait in Blender: the rendered walk baked through the operator, then analysed from the
track the bake kept - events as timeline markers on the scene's frames, the summary for the
panel, the report files and the plot image."""
from __future__ import annotations

import json

import bpy
import numpy as np
import pytest

from ras_mocap.blender.gait import GAIT_IMAGE
from tests.conftest import WALK_SIDE_TRUTH, WALK_SIDE_VIDEO, model_path


def test_gait_of_a_baked_walk(addon, tmp_path, monkeypatch):
    monkeypatch.setenv("RAS_MOCAP_MODEL", str(model_path("full")))  # the model the gait bounds are measured with
    addon.video_path, addon.num_poses = str(WALK_SIDE_VIDEO), 1
    assert bpy.ops.ras_mocap.bake_video() == {"FINISHED"}
    rig = bpy.context.scene.objects["RAS_Rig"]
    bpy.context.view_layer.objects.active = rig
    assert bpy.ops.ras_mocap.gait_analysis(report_dir=str(tmp_path / "gait")) == {"FINISHED"}

    truth = np.load(WALK_SIDE_TRUTH, allow_pickle=True)
    markers = {}
    for marker in bpy.context.scene.timeline_markers:
        markers.setdefault(marker.name, []).append(marker.frame)
    for side, s in (("left", "L"), ("right", "R")):
        for kind, key in (("HS", "heel_strike_frames"), ("TO", "toe_off_frames")):
            inner = [f + 1 for f in truth[f"{key}_{side}"] if 15 < f < 100]  # scene frame = video frame + 1
            assert inner and all(min(abs(m - f) for m in markers[f"{kind} {s}"]) <= 2 for f in inner), (kind, s, markers)
    summary = json.loads(addon.gait_summary)
    assert summary["cadence_steps_per_min"] == pytest.approx(float(truth["cadence_steps_per_min"]), rel=0.02)
    assert bpy.data.images[GAIT_IMAGE].size[0] > 500
    assert {p.name for p in (tmp_path / "gait").iterdir()} == {"angles.csv", "events.csv", "summary.json", "cycles.png"}
    # again: the markers are replaced, not doubled
    bpy.ops.ras_mocap.gait_analysis(report_dir=str(tmp_path / "gait"))
    assert len(bpy.context.scene.timeline_markers) == sum(len(v) for v in markers.values())


def test_a_rig_without_a_take_is_reported(addon):
    bpy.ops.ras_mocap.add_rig()
    with pytest.raises(RuntimeError, match="no take baked by RAS Mocap"):
        bpy.ops.ras_mocap.gait_analysis()
