"""The offline pipeline, in one place: a raw landmark track -> cleaned -> one body fitted to the
whole clip -> any rig's channels (its bones aimed at the fitted body, the root moved with it)
-> the RAS rig's IK targets. The bake calls it (the panel's, the CLI's, a live take's); Blender
only keys what it returns."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .armature import PoseChannels, RestBone
from .cleaning import CleaningSettings, clean_track
from .fit.track_fit import FittedBody, fit_track
from .forward import posed_matrices
from .ik_targets import ik_target_locations
from .memory import return_freed_memory
from .progress import ProgressFn
from .retarget import RetargetProfile
from .rig_spec import BodyLengths
from .rootmotion import camera_fov_deg, focal_px_for
from .solver import aim_rig
from .track import Track
from .errors import InputError

__all__ = ["FittedClip", "check_fit_options", "fit_clip", "rig_channels", "rig_lengths"]


@dataclass(frozen=True)
class FittedClip:
    clean: Track
    body: FittedBody

    @property
    def valid(self) -> np.ndarray:
        return self.body.found


def check_fit_options(body_height_m: float | None = None, fov_deg: float | None = None) -> None:
    """ValueError for a body height or field of view no person or camera has (checked before
    a long detection, not after it)."""
    if fov_deg is not None and not 5.0 <= fov_deg <= 170.0:
        raise InputError(f"a camera's field of view lies between 5 and 170 degrees, not {fov_deg:g}")
    if body_height_m is not None and not 0.5 <= body_height_m <= 2.5:
        raise InputError(f"a person's height lies between 0.5 and 2.5 m, not {body_height_m:g}")


def fit_clip(track: Track, cleaning: CleaningSettings = CleaningSettings(), body_height_m: float | None = None,
             fov_deg: float | None = None, progress: ProgressFn | None = None) -> FittedClip:
    """Clean a raw track and fit the body to it (ValueError if nobody was seen). `body_height_m`
    sets the metric scale (else BlazePose's); `fov_deg` is the camera's field of view across the
    image's longer side (else the video's as the track records it, else rootmotion.DEFAULT_FOV_DEG;
    the meta says which); `progress` as fit_track takes it."""
    check_fit_options(body_height_m, fov_deg)
    clean = clean_track(track, cleaning)
    camera_fov, fov_from = camera_fov_deg(track.meta, fov_deg)
    clip = FittedClip(clean, fit_track(clean, focal_px_for(track.image_size_px, camera_fov), body_height_m,
                                       progress=progress))
    clip.body.meta.update(fov_deg=round(camera_fov, 2), fov_from=fov_from)
    return_freed_memory()  # the fit's working arrays, which glibc would keep
    return clip


def rig_lengths(body: FittedBody) -> BodyLengths:
    """The RAS rig's proportions for the fitted body, so its bones follow the fitted joints exactly."""
    shape = body.shape
    ears = 0.5 * (shape.face_m[7] + shape.face_m[8])
    defaults = BodyLengths()
    return BodyLengths(
        hip_width_m=shape.hip_width_m, shoulder_width_m=shape.shoulder_width_m, torso_m=shape.torso_m,
        neck_m=float(np.linalg.norm(ears)), head_m=defaults.head_m, upper_arm_m=shape.upper_arm_m,
        forearm_m=shape.forearm_m, hand_m=float(np.linalg.norm(0.5 * (shape.hand_m[0] + shape.hand_m[1]))),
        thigh_m=shape.thigh_m, shin_m=shape.shank_m, ankle_height_m=float(-shape.foot_m[0, 1]),
        foot_m=float(shape.foot_m[1, 2]),
    )


def rig_channels(clip: FittedClip, bones: list[RestBone], profile: RetargetProfile | None = None) -> PoseChannels:
    """The channels of the frames with a person: bones aimed at the fitted body, and the RAS
    rig's IK targets and poles (if it has them) where FK puts the limbs, so the FK/IK switch agrees."""
    points = clip.body.world_m[clip.valid]
    channels = aim_rig(points, bones, profile)
    posed = posed_matrices(bones, channels, len(points))
    channels.location_m |= ik_target_locations(posed, {bone.name: bone for bone in bones})
    return channels
