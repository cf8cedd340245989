"""The CJK fonts the project ships (``templates/fonts/``) and their registration with matplotlib.

Charts and documents use these files only, never the machine's fonts, so a machine without Chinese
fonts shows no tofu and every machine renders the same bytes. They ship inside the package
(package data, in the wheel too); ``STATLIB_FONT_DIR`` names another folder of the same files.

>>> sorted(font_files())
['sans', 'sans-bold', 'serif', 'serif-bold']
"""

from __future__ import annotations

import os
from pathlib import Path

from statlib.config import templates_dir
from statlib.errors import ConfigError

__all__ = ["SANS", "SERIF", "font_dir", "font_files", "register_matplotlib"]

SANS = "Statlib Sans SC"
SERIF = "Statlib Serif SC"

_FILES = {
    "sans": "StatlibSansSC-Regular.otf",
    "sans-bold": "StatlibSansSC-Bold.otf",
    "serif": "StatlibSerifSC-Regular.otf",
    "serif-bold": "StatlibSerifSC-Bold.otf",
}
# Latin fallback after the CJK face: matplotlib's bundled DejaVu (not a machine font).
_FALLBACK = "DejaVu Sans"
_registered: set[Path] = set()


def font_dir() -> Path:
    """The shipped fonts' folder: ``$STATLIB_FONT_DIR`` or ``<repository>/templates/fonts``."""
    override = os.environ.get("STATLIB_FONT_DIR")
    if override:
        return Path(override)
    return templates_dir() / "fonts"


def font_files() -> dict[str, Path]:
    """The shipped faces by key (``sans``, ``sans-bold``, ``serif``, ``serif-bold``).

    Raises ConfigError when a file is missing, naming the folder and how to restore it.
    """
    folder = font_dir()
    files = {key: folder / name for key, name in _FILES.items()}
    missing = [str(p) for p in files.values() if not p.is_file()]
    if missing:
        raise ConfigError(
            f"shipped fonts not found: {', '.join(missing)}; reinstall statlib or set "
            "STATLIB_FONT_DIR to a folder holding these files"
        )
    return files


def register_matplotlib(family: str = "sans") -> str:
    """Add the shipped faces to matplotlib and make ``family`` (``sans``/``serif``) the default.

    Idempotent. Sets ``font.family`` and ``font.sans-serif``/``font.serif`` with the shipped family
    first and ``axes.unicode_minus = False`` (the CJK faces draw ``-``; U+2212 would fall back).
    Returns the family name.
    """
    import matplotlib as mpl
    from matplotlib import font_manager

    if family not in ("sans", "serif"):
        raise ConfigError(f"register_matplotlib: family must be 'sans' or 'serif', not {family!r}")
    for path in font_files().values():
        if path not in _registered:
            font_manager.fontManager.addfont(str(path))
            _registered.add(path)
    name = SANS if family == "sans" else SERIF
    mpl.rcParams["font.family"] = "sans-serif" if family == "sans" else "serif"
    mpl.rcParams["font.sans-serif"] = [SANS, _FALLBACK]
    mpl.rcParams["font.serif"] = [SERIF, _FALLBACK]
    mpl.rcParams["axes.unicode_minus"] = False
    return name
