"""The people pass in Blender: who was found in the scene's video (listed in the Subject choice,
the contact sheet as the image "RAS Mocap People"), kept for Bake from Video."""
from __future__ import annotations

import json
from pathlib import Path

import bpy
import numpy as np

from ..capture.people import People, Person
from ..capture.people_sheet import draw_people_sheet
from ..capture.subject import AUTO_RULE, SubjectChoice
from ..capture.tracking import TrackingSettings
from .preview import image_pixels, show_pixels
from ..core.errors import InputError

__all__ = ["PEOPLE_IMAGE", "PERSON_BASE", "subject_items", "subject_choice", "people_key", "remember", "recall",
           "show_sheet", "forget_all"]

PEOPLE_IMAGE = "RAS Mocap People"
PERSON_BASE = 100
"""Subject enum number of person k: PERSON_BASE + k (Auto, Largest and Most Central are 0, 1, 2)."""
_RULES = (("AUTO", "Auto", f"The person the video is about: {AUTO_RULE}", 0),
          ("LARGEST", "Largest", "The person largest over the clip", 1),
          ("CENTRAL", "Most Central", "The person nearest the frame's centre over the clip", 2))
_RULE_OF = {0: "auto", 1: "largest", 2: "central"}

_FOUND: dict[str, tuple[People, Person, str]] = {}
"""The people passes of this session, by people_key: Bake from Video reuses them."""
_ITEMS: list[tuple] = []
"""The Subject enum's items, kept referenced while Blender shows them (it does not copy the strings)."""


def people_key(video: Path, settings: TrackingSettings, start_frame: int, end_frame: int | None) -> str:
    """What a people pass depends on: the video file (and its size and time), range, model, region, poses."""
    stat = video.stat() if video.is_file() else None
    return json.dumps([str(video.resolve()), stat and stat.st_size, stat and stat.st_mtime_ns, start_frame,
                       end_frame, Path(settings.model_path).name, settings.roi and settings.roi.clip(1 << 30, 1 << 30),
                       settings.num_poses])


def remember(scene: bpy.types.Scene, key: str, found: tuple[People, Person, str]) -> None:
    """Keep a people pass for the bake, and list its people in the scene's Subject choice."""
    _FOUND[key] = found
    people, subject, reason = found
    scene.ras_mocap.people_found = json.dumps({
        "key": key, "auto": subject.id if subject else None, "reason": reason,
        "people": [{"id": p.id, "share": p.share_seen, "first": p.first_frame, "last": p.last_frame}
                   for p in people.persons],
    })


def recall(key: str) -> tuple[People, Person, str] | None:
    return _FOUND.get(key)


def forget_all() -> None:
    _FOUND.clear()


def subject_items(settings, _context) -> list[tuple]:
    """Auto, Largest, Most Central, and Person 1..N of the last Find People (with the share of
    frames each was seen in, and which one Auto takes)."""
    items = list(_RULES)
    listing = json.loads(settings.people_found) if settings.people_found else {}
    for person in listing.get("people", ()):
        auto = " - Auto takes this person" if person["id"] == listing["auto"] else ""
        items.append((f"PERSON_{person['id']}", f"Person {person['id']} ({100 * person['share']:.0f}%)",
                      f"Seen in frames {person['first']}-{person['last']} ({100 * person['share']:.0f}% of the "
                      f"frames looked at){auto}", PERSON_BASE + person["id"]))
    _ITEMS[:] = items
    return _ITEMS


def subject_choice(settings, key: str | None = None) -> SubjectChoice:
    """The panel's Subject as a SubjectChoice. A person number must come from a Find People of
    the same video and settings (`key`, see people_key), else InputError."""
    value = int(settings.get("subject", 0))  # the enum's number, kept even if its items changed
    if value < PERSON_BASE:
        return SubjectChoice(_RULE_OF.get(value, "auto"))
    listing = json.loads(settings.people_found) if settings.people_found else {}
    if key is not None and listing.get("key") != key:
        raise InputError(f"Person {value - PERSON_BASE} was found in another video or with other settings: "
                         "press Find People again, or choose Auto")
    return SubjectChoice("id", person_id=value - PERSON_BASE)


def show_sheet(video: Path, found: tuple[People, Person, str]) -> bpy.types.Image:
    """The contact sheet (frames with every person's box and id) as the image PEOPLE_IMAGE."""
    people, subject, _ = found
    bgr = draw_people_sheet(video, people, subject.id if subject else None)
    return show_pixels(image_pixels(np.ascontiguousarray(bgr[..., ::-1])), PEOPLE_IMAGE)
