"""Frames -> PoseFrames -> Track: the subject's landmarks, frame by frame.

A video is tracked in two passes: pass 1 (people.py) finds everyone and the subject is
chosen (subject.py); pass 2 runs BlazePose in VIDEO mode on the part of the frame the
subject's path covers, showing only the surroundings of where pass 1 puts the subject in
each frame (the rest painted grey), so a bystander cannot take over and, after a loss, the
subject is found again inside its own box. The crop stays still while the shown window moves:
MediaPipe's own landmark filter works in the crop's pixels, and a crop moving with the walker
would make the planted foot move under it (foot jitter x2-3, double support 3.5 points short
on the rendered side walk). A subject not found at all in the crop of their whole path (a
runner far away crossing the frame, too small in it) is followed in still crops of their own
size instead, each held until they leave it. With `num_poses=1` there is no people pass: the
one person BlazePose finds in the whole frame (or region) is the subject.

`PoseTracker` does one frame (pass 2 here, and the live worker, which follows a LiveSubject);
`TrackRecorder` collects PoseFrames into a `Track`.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..core.progress import Cancelled, ProgressFn
from ..core.track import Track
from .detector import Detection, PoseDetector, RegionOfInterest
from .identities import Sighting
from .lens import video_lens
from .people import People, PeopleSettings, Person, find_people
from .sources import Frame, FrameSource, ReadAhead, SourceError, VideoFileSource
from .subject import LiveSubject, SubjectChoice, choose_subject

__all__ = [
    "TrackingSettings", "PoseFrame", "PoseTracker", "TrackRecorder", "track_video", "track_source",
    "ProgressFn", "Cancelled", "TrackingInterrupted", "source_meta", "subject_meta", "CROP_BODY_HEIGHTS",
]


CROP_BODY_HEIGHTS = 1.6
"""Pass 2 shows a square this many times the subject's box (its larger side), around its centre."""
FOLLOW_PERSON_PX = 512
"""Pass 2 shrinks the frames of a subject taller than this (their largest box) to this height:
twice what BlazePose's landmark network sees of them, and a 4K frame costs what a 1080p one does."""
STEP_CROP_BODY_HEIGHTS = 3.0
"""A subject pass 2 has not found in the crop of their whole path on UNFOUND_SIGHTINGS frames
where pass 1 saw them (before it ever found them) is followed in still crops this many times
their size instead, each held until their box leaves it (the landmarker starts afresh on the
next): the person detector sees a crop as 224 px, and a runner 17 m away crossing the frame, 28
px in its view of the path, was tracked in no frame of 111 (pass 1, in frame-tall squares, saw
them in every sampled frame). Counting only pass 1's sightings leaves a subject hidden at the
start alone: the Sports2D walker behind her tree is missed once (frame 41) before pass 2 finds her."""
UNFOUND_SIGHTINGS = 3


@dataclass(frozen=True)
class TrackingSettings:
    model_path: Path
    roi: RegionOfInterest | None = None
    """Only look inside this pixel rectangle."""
    subject: SubjectChoice = SubjectChoice()
    """Who the subject is when several people are found (see subject.py)."""
    num_poses: int = 4
    """People BlazePose follows at once (pass 1, live); 1 = one person in view, no people pass."""
    min_confidence: float = 0.5
    people_rate_hz: float = 5.0
    """Frames a second pass 1 looks at."""

    def people_settings(self) -> PeopleSettings:
        return PeopleSettings(self.model_path, self.roi, self.num_poses, self.people_rate_hz, self.min_confidence)

    def describe(self) -> dict:
        """The settings as plain data for a track's meta."""
        return {
            "model": Path(self.model_path).name,
            "roi": asdict(self.roi) if self.roi else None,
            "subject": self.subject.describe(),
            "num_poses": self.num_poses,
            "min_confidence": self.min_confidence,
        }


@dataclass(frozen=True)
class PoseFrame:
    """One frame's result: the subject's landmarks (None if nobody), and a small preview."""

    frame_index: int
    time_s: float
    image_size_px: tuple[int, int]  # (width, height)
    detection: Detection | None
    preview_rgb: np.ndarray | None = field(default=None, repr=False)  # (h, w, 3) uint8, top row first
    captured_s: float = 0.0
    """When its frame was taken (Frame.captured_s)."""
    solved: Any = field(default=None, repr=False)
    """What the consumer's per-frame hook made of it on the capture thread (see CaptureWorker.on_frame)."""


def crop_around(box_px: np.ndarray, scale: float = CROP_BODY_HEIGHTS) -> np.ndarray:
    """A square (x0, y0, x1, y1) `scale` times the box's larger side, on its centre."""
    centre = (box_px[:2] + box_px[2:]) / 2
    half = scale * max(float(np.max(box_px[2:] - box_px[:2])), 32.0) / 2
    return np.concatenate([centre - half, centre + half])


class PoseTracker:
    """The PoseLandmarker for one source, and who its subject is; close it (or use `with`).

    follow: pass 2 - the landmarker looks for one pose around this person's box within their
    path (or within still crops of their own size, if the path's crop never finds them), and
    keeps it only where the person is expected (else MediaPipe may be tracking a bystander who
    crossed it: after `reset_after` such frames it starts afresh).
    Without it, every person in view is found and a LiveSubject follows one of them.
    """

    def __init__(self, settings: TrackingSettings, image_size_px: tuple[int, int], preview_width_px: int | None = None,
                 follow: Person | None = None, reset_after: int = 3):
        self.image_size_px = image_size_px
        self.preview_width_px = preview_width_px
        self.follow = follow
        self._path_px = follow.path_box_px() if follow is not None else None
        self._scale = min(1.0, FOLLOW_PERSON_PX / follow.largest_side_px) if follow is not None else 1.0
        self._found_any = False  # pass 2 has found the subject in some frame
        self._sighted = set(follow.frame_index.tolist()) if follow is not None else set()  # pass 1 saw them there
        self._unfound = 0  # sightings of pass 1 where pass 2 found nobody, before it ever found them
        self._step_crop: np.ndarray | None = None  # the still crop of their own size, once it comes to that
        self.reset_after = reset_after
        self._mismatches = 0
        if preview_width_px:
            import cv2
            from mediapipe.tasks.python.vision import PoseLandmarksConnections

            self._cv2 = cv2
            self._edges = [(c.start, c.end) for c in PoseLandmarksConnections.POSE_LANDMARKS]
        self.live_subject = LiveSubject(image_size_px, settings.subject.rule) if follow is None else None
        num_poses = 1 if follow is not None else settings.num_poses
        self._detector = PoseDetector(settings.model_path, settings.roi, num_poses, settings.min_confidence)

    def process(self, frame: Frame) -> PoseFrame:
        detection = self._follow(frame) if self.follow is not None else self._live(frame)
        return PoseFrame(frame.index, frame.time_s, self.image_size_px, detection, self._preview(frame.bgr, detection),
                         frame.captured_s)

    def _live(self, frame: Frame) -> Detection | None:
        detections = self._detector.detect(frame)
        if self._detector.num_poses == 1:
            return detections[0] if detections else None
        return self.live_subject.choose(detections, frame.index, frame.time_s)

    def _follow(self, frame: Frame) -> Detection | None:
        box = self.follow.box_at(frame.index, margin=True)
        if box is None:
            return None
        found = self._detector.detect(frame, self._crop_for(box), crop_around(box), self._scale)
        if not found:
            if self._step_crop is None and not self._found_any and frame.index in self._sighted:
                self._unfound += 1
                if self._unfound == UNFOUND_SIGHTINGS:  # too small in the path's crop
                    self._step_crop = crop_around(box, STEP_CROP_BODY_HEIGHTS)
                    self._detector.restart()
            return None
        self._found_any = True
        sighting = Sighting.of(found[0], frame.index, frame.time_s, self.image_size_px)
        if self.follow.expects(sighting):
            self._mismatches = 0
            return found[0]
        self._mismatches += 1
        if self._mismatches >= self.reset_after:
            self._detector.restart()
            self._mismatches = 0
        return None

    def _crop_for(self, box: np.ndarray) -> np.ndarray:
        """Where the landmarker looks for the subject expected in `box`: their whole path, or once
        that failed (STEP_CROP_BODY_HEIGHTS) the still crop of their own size around them, a new
        one (the landmarker restarted) whenever the box leaves it."""
        if self._step_crop is None:
            return self._path_px
        if np.any(box[:2] < self._step_crop[:2]) or np.any(box[2:] > self._step_crop[2:]):
            self._step_crop = crop_around(box, STEP_CROP_BODY_HEIGHTS)
            self._detector.restart()
        return self._step_crop

    def _preview(self, bgr: np.ndarray, detection: Detection | None) -> np.ndarray | None:
        """The frame shrunk to the preview width, RGB, with the subject's skeleton and every
        person's id drawn on it (here, on the capture thread, so Blender only copies pixels)."""
        if not self.preview_width_px:
            return None
        cv2 = self._cv2
        scale = self.preview_width_px / bgr.shape[1]
        height_px = max(1, round(bgr.shape[0] * scale))
        small = cv2.cvtColor(cv2.resize(bgr, (self.preview_width_px, height_px), interpolation=cv2.INTER_AREA),
                             cv2.COLOR_BGR2RGB)
        if detection is not None:
            points = np.round(detection.image_xyz[:, :2] * (self.preview_width_px, height_px)).astype(np.int32)
            for start, end in self._edges:
                cv2.line(small, tuple(points[start]), tuple(points[end]), (80, 255, 120), 1, cv2.LINE_AA)
        if self.live_subject is not None:
            for key, box in self.live_subject.people:
                x0, y0 = np.round(box[:2] * scale).astype(int)
                colour = (80, 255, 120) if key == self.live_subject.subject_key else (255, 200, 60)
                cv2.putText(small, str(key + 1), (int(x0), max(int(y0), 10)), cv2.FONT_HERSHEY_SIMPLEX, 0.4, colour, 1,
                            cv2.LINE_AA)
        return small

    def close(self) -> None:
        self._detector.close()

    def __enter__(self) -> PoseTracker:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class TrackRecorder:
    """Appends PoseFrames (any timing: a video's frames or a camera's) and makes a Track."""

    def __init__(self, fps: float, image_size_px: tuple[int, int], meta: dict | None = None):
        self.fps = fps
        self.image_size_px = image_size_px
        self.meta = dict(meta or {})
        self._frames: list[PoseFrame] = []

    def add(self, pose_frame: PoseFrame) -> None:
        self._frames.append(pose_frame)

    def __len__(self) -> int:
        return len(self._frames)

    def to_track(self) -> Track:
        track = Track.empty(len(self._frames), self.fps, self.image_size_px, self.meta)
        for row, pose_frame in enumerate(self._frames):
            track.frame_index[row] = pose_frame.frame_index
            track.time_s[row] = pose_frame.time_s
            detection = pose_frame.detection
            if detection is not None:
                track.found[row] = True
                track.image_xyz[row] = detection.image_xyz
                track.visibility[row] = detection.visibility
                track.presence[row] = detection.presence
                track.world_xyz_m[row] = detection.world_xyz_m
        return track


class TrackingInterrupted(KeyboardInterrupt):
    """Ctrl-C while tracking; `track` holds the frames tracked until then (kept by the CLI)."""

    def __init__(self, track: Track):
        super().__init__(f"interrupted after {len(track)} frames")
        self.track = track


def source_meta(source: FrameSource) -> dict:
    """What a track records of its source: the video file and range it read, and the lens the file
    states if any (empty for a camera)."""
    if not isinstance(source, VideoFileSource):
        return {}
    lens = video_lens(source.path, (source.width, source.height))
    return {"source": str(Path(source.path).resolve()), "start_frame": source.start_frame,
            "end_frame": source.end_frame, "stride": source.stride,
            **({"lens_fov_deg": round(lens.fov_deg, 2), "lens_focal_35mm_mm": lens.focal_35mm_mm} if lens else {})}


def subject_meta(people: People, person: Person | None, reason: str) -> dict:
    """What a track records of pass 1: everyone found, and who the subject is and why."""
    return {"subject_id": person.id if person else None, "subject_reason": reason,
            "people": [p.summary() for p in people.persons]}


def track_source(
    source: FrameSource, settings: TrackingSettings, meta: dict, total: int = 0, progress: ProgressFn | None = None,
    follow: Person | None = None,
) -> Track:
    """Run the tracker over every frame a source gives, on this thread."""
    recorder = TrackRecorder(source.fps, (source.width, source.height), {**meta, **settings.describe()})
    try:
        with PoseTracker(settings, (source.width, source.height), follow=follow) as tracker:
            for frame in source:
                recorder.add(tracker.process(frame))
                if progress and progress(len(recorder), total, "tracking"):
                    raise Cancelled(f"cancelled after {len(recorder)} of {total} frames")
    except KeyboardInterrupt:
        raise TrackingInterrupted(recorder.to_track()) from None
    return recorder.to_track()


def find_subject(
    video: str | Path, settings: TrackingSettings, start_frame: int = 0, end_frame: int | None = None,
    progress: ProgressFn | None = None,
) -> tuple[People, Person | None, str]:
    """Pass 1 and the subject choice: everyone found, the subject, and why. The subject is None
    when pass 1 found nobody (someone seen too briefly): pass 2 then looks at the whole frame."""
    report = (lambda done, total: progress(done, total, "people")) if progress else None
    people = find_people(video, settings.people_settings(), start_frame, end_frame, report)
    if not people.persons:
        return people, None, "nobody found by the people pass: the whole frame is tracked"
    person, reason = choose_subject(people, settings.subject)
    return people, person, reason


def track_video(
    video_path: str | Path,
    settings: TrackingSettings,
    start_frame: int = 0,
    end_frame: int | None = None,
    stride: int = 1,
    progress: ProgressFn | None = None,
    people: tuple[People, Person | None, str] | None = None,
) -> Track:
    """The subject's landmarks over [start_frame, end_frame) of a video file: one Track row per
    frame read. Runs pass 1 and the subject choice first (unless `people` gives their result,
    or settings.num_poses is 1), then pass 2."""
    if people is None and settings.num_poses > 1:
        people = find_subject(video_path, settings, start_frame, end_frame, progress)
    follow = people[1] if people else None
    with VideoFileSource(video_path, start_frame, end_frame, stride) as opened:
        meta = {**source_meta(opened), **(subject_meta(*people) if people else {})}
        source = ReadAhead(opened)
        try:
            track = track_source(source, settings, meta, opened.n_frames, progress, follow)
        finally:
            source.close()
    if len(track) == 0:
        raise SourceError(f"no frame could be decoded from {video_path}")
    return track
