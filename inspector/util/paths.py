"""Where bundled files live, frozen (PyInstaller) or not, and where user data goes."""

from __future__ import annotations

import sys
from pathlib import Path

import platformdirs

APP_NAME = "inspector"
APP_AUTHOR = "inspector"


def project_root() -> Path:
    """The folder holding resources/ and forms/: the bundle dir when frozen, else the source tree."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen)
    return Path(__file__).resolve().parents[2]


def resource_path(*parts: str) -> Path:
    """A file under resources/."""
    return project_root().joinpath("resources", *parts)


def forms_path(*parts: str) -> Path:
    """A file under forms/."""
    return project_root().joinpath("forms", *parts)


def default_data_dir() -> Path:
    """The per-user data folder (database, blobs, logs) when --data-dir is not given."""
    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))
