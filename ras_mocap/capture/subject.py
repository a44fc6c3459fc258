"""Who is the subject: one of the people pass 1 found (offline), or the person followed live.

Offline, `auto` (the default) takes the person whose movement the video is about:
  1. people seen for at least a second (or a quarter of a short clip) are considered;
  2. of those, the ones who move (keypoints faster than `STILL_BODY_HEIGHTS_PER_S`, or a hip path
     of a body height or more); a bystander who stands still is never the default;
  3. of those, the ones at least half the size of the largest mover: a passer-by much smaller
     and further away is never the default either;
  4. the one who walks (periodic leg motion and travel) with the largest travel, else the one
     who moves most. If nobody moves, the largest person.
`largest` / `central` take, of the people seen for a second or more, the one largest / nearest
the frame's centre over the clip (median body height / hip distance), an id takes that person from the `people` listing, and a pixel (`--subject-at X,Y@FRAME`) the
person nearest it at that frame.

Live there is no second pass: `LiveSubject` follows, through the same identity linking, the
largest person at the start (or the one the user picks by id); someone who walks in later is
never taken while the subject is in view.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .detector import Detection
from .identities import IdentityLinker, sightings_of
from .people import People, Person
from ..core.errors import InputError

__all__ = ["SUBJECT_RULES", "SubjectChoice", "choose_subject", "LiveSubject", "STILL_BODY_HEIGHTS_PER_S",
           "AUTO_RULE"]

SUBJECT_RULES = ("auto", "largest", "central")
STILL_BODY_HEIGHTS_PER_S = 0.15
"""Keypoint speed (body heights a second) below which a person counts as standing still."""
AUTO_RULE = ("the person the video is about: of those seen for a second or more, who move, and are at least half "
             "the size of the largest who moves, the one who walks (periodic leg motion) and travels furthest, "
             "else the one who moves most; never a bystander who stands still or stays much smaller")


@dataclass(frozen=True)
class SubjectChoice:
    """How the subject is chosen: a rule, a person id, or the person nearest a pixel at a frame."""

    rule: str = "auto"
    person_id: int | None = None
    at_px: tuple[float, float] | None = None
    at_frame: int = 0

    @classmethod
    def parse(cls, subject: str = "auto", at: str | None = None) -> SubjectChoice:
        """From the CLI: `--subject auto|largest|central|ID` and `--subject-at X,Y[@FRAME]`."""
        if at:
            where, _, frame = at.partition("@")
            try:
                x, y = (float(v) for v in where.split(","))
                return cls("at", at_px=(x, y), at_frame=int(frame) if frame else 0)
            except ValueError:
                raise InputError(f"--subject-at takes X,Y or X,Y@FRAME in pixels, not {at!r}") from None
        if subject.isdigit():
            return cls("id", person_id=int(subject))
        if subject not in SUBJECT_RULES:
            raise InputError(f"the subject is one of {', '.join(SUBJECT_RULES)} or a person id, not {subject!r}")
        return cls(subject)

    def describe(self) -> str:
        if self.rule == "id":
            return f"person {self.person_id}"
        if self.rule == "at":
            return f"nearest ({self.at_px[0]:g}, {self.at_px[1]:g}) at frame {self.at_frame}"
        return self.rule


def _lasting(people: People) -> list[Person]:
    """The people seen for a second or more (a quarter of a short clip); all if none is."""
    period_s = people.sample_stride / people.fps
    clip_s = len(people.sampled_frames) * period_s
    return [p for p in people.persons if len(p.frame_index) * period_s >= min(1.0, 0.25 * clip_s)] or people.persons


def _auto(people: People) -> tuple[Person, str]:
    lasting = _lasting(people)
    moving = [p for p in lasting if p.motion_body_heights_per_s >= STILL_BODY_HEIGHTS_PER_S
              or p.travel_body_heights >= 1.0]
    if not moving:
        largest = max(lasting, key=lambda p: p.median_height_px)
        return largest, "nobody moves: the largest person"
    reference = max(p.median_height_px for p in moving)
    candidates = [p for p in moving if p.median_height_px >= 0.5 * reference]
    walkers = [p for p in candidates if p.walks()]
    if walkers:
        walker = max(walkers, key=lambda p: p.travel_body_heights)
        return walker, f"walks, and travels furthest ({walker.travel_body_heights:.1f} body heights)"
    mover = max(candidates, key=lambda p: p.motion_body_heights_per_s)
    return mover, f"moves most ({mover.motion_body_heights_per_s:.2f} body heights/s)"


def choose_subject(people: People, choice: SubjectChoice = SubjectChoice()) -> tuple[Person, str]:
    """The subject among the people found, and why (for listings and the track's meta)."""
    if not people.persons:
        raise InputError("nobody was detected in the video")
    if choice.rule == "id":
        return people.by_id(choice.person_id), "chosen by id"
    if choice.rule == "at":
        x, y = choice.at_px
        distance, person = min(((p.nearest_distance_px(x, y, choice.at_frame), p) for p in people.persons),
                               key=lambda dp: dp[0])
        if not np.isfinite(distance):
            raise InputError(f"nobody was seen at frame {choice.at_frame} to match --subject-at (people are "
                             "seen at: " + ", ".join(f"{p.id}: {p.first_frame}-{p.last_frame}" for p in people.persons) + ")")
        return person, f"nearest ({x:g}, {y:g}) at frame {choice.at_frame}"
    if choice.rule == "largest":
        return max(_lasting(people), key=lambda p: p.median_height_px), "largest over the clip"
    if choice.rule == "central":
        centre = np.asarray(people.image_size_px, float) / 2
        return (min(_lasting(people), key=lambda p: np.median(np.linalg.norm(p.hip_px - centre, axis=1))),
                "nearest the centre over the clip")
    return _auto(people)


class LiveSubject:
    """Live: every frame's people linked into identities; the subject is one identity.

    It starts on the largest person in view (or the most central, `rule="central"`), or on
    `pick(key)`; it stays with that identity while it is in view, and only after it has been
    lost for `reacquire_after_s` takes the largest person again (someone walking back into a
    webcam's view).
    """

    def __init__(self, image_size_px: tuple[int, int], rule: str = "auto", reacquire_after_s: float = 2.0):
        self.image_size_px = image_size_px
        self.rule = rule
        self.reacquire_after_s = reacquire_after_s
        self._linker = IdentityLinker(max_lost_s=reacquire_after_s)
        self.subject_key: int | None = None
        self._picked: int | None = None
        self.people: list[tuple[int, np.ndarray]] = []
        """The last frame's people: (identity key, box x0, y0, x1, y1 in pixels), for the preview."""

    def pick(self, key: int) -> None:
        """Follow this identity (a key shown on the preview) from the next frame on."""
        self._picked = key

    def choose(self, detections: list[Detection], frame_index: int, time_s: float) -> Detection | None:
        """The subject's detection in this frame, or None if the subject is not in view."""
        sightings = sightings_of(detections, frame_index, time_s, self.image_size_px)
        keys = self._linker.update(sightings)
        self.people = [(key, s.box_px) for key, s in zip(keys, sightings)]
        if self._picked is not None and self._picked in keys:
            self.subject_key, self._picked = self._picked, None
        open_keys = {ident.key for ident in self._linker.open_identities(time_s)}
        if (self.subject_key is None or self.subject_key not in open_keys) and sightings:
            self.subject_key = keys[self._first_choice(sightings)]
        if self.subject_key in keys:
            return sightings[keys.index(self.subject_key)].detection
        return None

    def _first_choice(self, sightings) -> int:
        if self.rule == "central":
            centre = np.asarray(self.image_size_px, float) / 2
            return int(np.argmin([np.linalg.norm(s.hip_px - centre) for s in sightings]))
        return int(np.argmax([s.height_px for s in sightings]))
