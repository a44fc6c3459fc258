"""Live capture. On the capture thread, after BlazePose, each frame is filtered and solved into
the rig's channels and its preview turned into image pixels (numpy only, never bpy). Each timer
tick on the main thread drains the worker, applies the newest pose to the rig, copies the
preview and records the take. A plain class, so tests and benchmarks drive it without
Blender's timers (which do not fire in background mode). A recorded take is saved to its track
file every few seconds as it grows (on a thread of its own), and before it is keyed, so neither
a crash nor a failed key loses more than the last seconds."""
from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, replace
from pathlib import Path

import bpy
import numpy as np

from ..capture.tracking import PoseFrame, TrackRecorder
from ..capture.worker import CaptureWorker, WorkerState
from ..core.armature import PoseChannels
from ..core.cleaning import CleaningSettings
from ..core.errors import RasMocapError
from ..core.filters import OneEuroFilter
from ..core.live_solver import LiveSolver
from ..core.retarget import RetargetProfile
from ..core.solver import RigSetup
from . import rig as rig_module
from .bake import BakeResult, bake_track, new_track_path
from .preview import image_pixels, show_pixels

__all__ = ["LiveSession", "LiveSmoothing", "AUTOSAVE_S"]

AUTOSAVE_S = 5.0
"""A take being recorded is written to its track file this often."""


@dataclass(frozen=True)
class LiveSmoothing:
    """One Euro filter settings for the live pose (see core.filters.OneEuroFilter)."""

    min_cutoff_hz: float = 1.5
    beta: float = 2.0


class LiveSession:
    """A started CaptureWorker driving `rig`. Call `tick()` from a timer; `stop()` at the end.

    While `recording` is on, every frame the worker delivers is kept; switching it off (or
    stopping) keys the take into a new action on the frames' capture timestamps.
    """

    def __init__(
        self,
        rig: bpy.types.Object,
        worker: CaptureWorker,
        profile: RetargetProfile | None = None,
        smoothing: LiveSmoothing = LiveSmoothing(),
        cleaning: CleaningSettings = CleaningSettings(),
        show_preview: bool = True,
        fit_options: dict | None = None,
    ):
        profile = rig_module.check_target(rig, profile)
        rig_module.prepare_for_keys(rig, profile)
        self.rig_name, self.worker, self.profile, self.cleaning = rig.name, worker, profile, cleaning
        self.show_preview = show_preview
        self.fit_options = fit_options or {}  # bake_track's body_height_m and fov_deg for a recorded take
        self._solver = LiveSolver(RigSetup.of(rig_module.rest_bones(rig, profile), profile), worker.image_size_px)
        self._metres_per_unit = rig_module.armature_scale(rig)[1]  # the solve is in metres (rest_bones)
        self._filter = OneEuroFilter(smoothing.min_cutoff_hz, smoothing.beta)
        worker.on_frame = self._solve  # from now on; frames solved before are skipped
        self._recorder: TrackRecorder | None = None
        self._take_path: Path | None = None  # the recorded take's track file
        self._saved_at_s = 0.0
        self._saving: threading.Thread | None = None
        self._recent_s: deque[float] = deque(maxlen=64)  # arrival times, for the fps shown
        self._pixels: np.ndarray | None = None  # the newest preview, not yet shown
        self.latency_s: deque[float] = deque(maxlen=64)
        """Capture to pose on the rig, of the last frames posed (the newest of each tick)."""
        self.frames_seen = 0
        self.frames_posed = 0
        self.takes: list[BakeResult] = []

    @property
    def rig(self) -> bpy.types.Object:
        """The driven rig, looked up by name each time: an undo or a file load frees the objects
        a reference would keep (ReferenceError once it is gone)."""
        rig = bpy.data.objects.get(self.rig_name)
        if rig is None or rig.type != "ARMATURE":
            raise ReferenceError(f"the rig {self.rig_name} is gone")
        return rig

    @property
    def recording(self) -> bool:
        return self._recorder is not None

    def start_recording(self) -> None:
        if self._recorder is None:
            meta = {**self.worker.meta, "live": True, "source": self.worker.meta.get("source", "webcam")}
            self._recorder = TrackRecorder(self.worker.fps, self.worker.image_size_px, meta)
            self._take_path = new_track_path("live_take")
            self._saved_at_s = time.monotonic()

    def stop_recording(self, context: bpy.types.Context | None = None) -> BakeResult | None:
        """End the take: save its track, then key it into a new action (None if nobody was seen
        in it). `context`: the caller's (an operator's), else bpy.context; never one kept from an
        earlier call. A take that cannot be keyed stays in its track file, which the error names."""
        recorder, path = self._recorder, self._take_path
        self._recorder = self._take_path = None
        self._wait_for_save()
        if recorder is None or len(recorder) == 0:
            return None
        track = recorder.to_track()
        track.save(path)
        if not track.found.any():
            return None
        try:
            result = bake_track(context or bpy.context, track, self.rig, self.cleaning, self.profile,
                                previous_to_nla=True, track_path=path, **self.fit_options)
        except RasMocapError as exc:
            raise type(exc)(f"{exc}; the take is saved in {path}") from None
        self.takes.append(result)
        return result

    def _autosave(self) -> None:
        """Every AUTOSAVE_S, the take so far written to its track file on a thread (a crash loses
        at most the last seconds); skipped while the previous write still runs."""
        writing = self._saving is not None and self._saving.is_alive()
        if self._recorder is None or time.monotonic() - self._saved_at_s < AUTOSAVE_S or writing:
            return
        self._saved_at_s = time.monotonic()
        track, path = self._recorder.to_track(), self._take_path
        self._saving = threading.Thread(target=track.save, args=(path,), name="ras-mocap-take-save", daemon=True)
        self._saving.start()

    def _wait_for_save(self) -> None:
        if self._saving is not None:
            self._saving.join()
            self._saving = None

    def tick(self) -> bool:
        """Drain the worker, pose the rig with the newest person found; False once capture has ended."""
        frames = self.worker.drain()
        self._recent_s.extend(time.monotonic() for _ in frames)
        self.frames_seen += len(frames)
        if self._recorder is not None:
            for pose_frame in frames:
                self._recorder.add(pose_frame)
            self._autosave()
        solved = [f for f in frames if f.solved is not None]
        newest = next((f for f in reversed(solved) if f.solved[0] is not None), None)
        if newest is not None:  # while recording too: the take's action is written when it ends
            self._apply(newest.solved[0])
            self.latency_s.append(time.monotonic() - newest.captured_s)
        held = self._pixels
        if solved and solved[-1].solved[1] is not None:
            self._pixels = solved[-1].solved[1]
        if self._pixels is not None and (newest is None or held is not None):
            show_pixels(self._pixels)  # a tick that posed nothing, or the next: one job a tick
            self._pixels = None
        return self.worker.state is WorkerState.RUNNING or bool(frames)

    def _solve(self, pose_frame: PoseFrame) -> PoseFrame:
        """On the capture thread: the smoothed pose solved into channels, and the preview's pixels."""
        channels = None
        detection = pose_frame.detection
        if detection is not None:
            width, height = pose_frame.image_size_px
            points = np.concatenate([detection.world_xyz_m, detection.image_xyz[:, :2] * (width, height)], axis=1)
            smooth = self._filter(points, pose_frame.time_s)
            channels = self._solver.solve_frame(smooth[:, :3], smooth[:, 3:])
        preview = image_pixels(pose_frame.preview_rgb) if self.show_preview and pose_frame.preview_rgb is not None else None
        return replace(pose_frame, solved=(channels, preview))

    def _apply(self, channels: PoseChannels) -> None:
        bones = self.rig.pose.bones
        for name, euler in channels.euler_rad.items():
            bones[name].rotation_euler = euler[0]
        for name, location in channels.location_m.items():
            bones[name].location = location[0] / self._metres_per_unit
        self.frames_posed += 1

    @property
    def fps(self) -> float:
        """Frames per second arriving from the worker (over the last 64)."""
        times = self._recent_s
        return (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 and times[-1] > times[0] else 0.0

    @property
    def status(self) -> str:
        stats = self.worker.stats
        found = 100 * stats.frames_with_person / stats.frames_processed if stats.frames_processed else 0
        state = "recording" if self.recording else self.worker.state.value
        tracker = self.worker.tracker
        subject = tracker.live_subject.subject_key if tracker and tracker.live_subject else None
        following = f", following {subject + 1}" if subject is not None else ""
        lag = f", {1000 * float(np.median(self.latency_s)):.0f} ms behind" if self.latency_s else ""
        return f"{state}: {self.fps:.0f} fps{lag}, person in {found:.0f}% of frames{following}"

    def follow_person(self, number: int) -> None:
        """Follow the person shown with this number on the preview (from the next frame on)."""
        tracker = self.worker.tracker
        if tracker is not None and tracker.live_subject is not None:
            tracker.live_subject.pick(number - 1)

    def release(self) -> None:
        """Blender quitting or loading another file: stop the capture thread (the camera is
        released) and finish writing the take, touching no Blender data."""
        self.worker.stop()
        self._wait_for_save()
        if self._recorder is not None and len(self._recorder):
            self._recorder.to_track().save(self._take_path)
        self._recorder = None

    def stop(self, context: bpy.types.Context | None = None) -> str:
        """Stop the worker (thread joined), key a take being recorded; what happened, for a report."""
        self.worker.stop()
        self.tick()  # frames still queued
        ended = self.worker.message if self.worker.state in (WorkerState.FAILED, WorkerState.ENDED) else "capture stopped"
        try:
            take = self.stop_recording(context)
        except RasMocapError as exc:  # the take could not be fitted (e.g. too short)
            return f"{ended}; the take was not keyed: {exc}"
        return ended + (f"; take keyed as {take.action_name} (frames {take.frame_start}-{take.frame_end})" if take else "")
