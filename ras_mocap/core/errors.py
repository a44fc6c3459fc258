"""The project's error types. A RasMocapError is something the user can fix (a bad input,
setting, file, model or output path): the CLI prints it as one `error:` line and exits 2, an
operator reports it. Any other exception is a bug and is shown as one (a traceback and a log)."""
from __future__ import annotations

__all__ = ["RasMocapError", "InputError", "OutputError"]


class RasMocapError(Exception):
    """A problem with what the user gave, told in one line."""


class InputError(RasMocapError):
    """A setting or input that cannot be used (a height no person has, a clip too short, ...)."""


class OutputError(RasMocapError):
    """An output that cannot be written (its folder, the disk); the previous file is untouched."""
