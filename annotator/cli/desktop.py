"""Can Qt open a window here? Checked before Qt starts, without Qt.

When Qt's platform plugin cannot start (no display, a system library missing, no
X server answering), Qt prints a page of plugin messages (one of them wrongly
blaming libxcb-cursor0) and aborts the process, so it cannot be caught once it
happens. On Linux, before the app imports Qt, :func:`desktop_problem` checks what
Qt's X11 (xcb) plugin needs: a display, the system libraries it loads, and an X
server answering there; the ``annotator`` command then prints one line naming
what to set or install, and exits with status 1.

It only speaks when it is sure: another platform chosen with ``QT_QPA_PLATFORM``
(``offscreen``, ``wayland``, a list of fallbacks) or a Wayland session is left to
Qt, and so are other systems. No Qt, no click here; ``ctypes`` is imported only
when there is something to check.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence

__all__ = ["NO_DISPLAY", "QT_LIBRARIES", "desktop_problem", "missing_libraries_message", "library_of_error"]

#: What is said when there is no display at all.
NO_DISPLAY = (
    "no display to open the window on: set DISPLAY (X11) or WAYLAND_DISPLAY, "
    "or run with QT_QPA_PLATFORM=offscreen to start without a window"
)

#: The system libraries Qt's GUI library and its xcb platform plugin load (by
#: soname; ``ldd`` of PySide6's libqxcb.so and libQt6Gui.so), with the Debian/Ubuntu
#: package of each. Loaded in this order, so a library's dependency is met first.
QT_LIBRARIES: tuple[tuple[str, str], ...] = (
    ("libxcb.so.1", "libxcb1"),
    ("libX11.so.6", "libx11-6"),
    ("libX11-xcb.so.1", "libx11-xcb1"),
    ("libxcb-render.so.0", "libxcb-render0"),
    ("libxcb-shm.so.0", "libxcb-shm0"),
    ("libxcb-sync.so.1", "libxcb-sync1"),
    ("libxcb-xfixes.so.0", "libxcb-xfixes0"),
    ("libxcb-util.so.1", "libxcb-util1"),
    ("libxcb-cursor.so.0", "libxcb-cursor0"),
    ("libxcb-icccm.so.4", "libxcb-icccm4"),
    ("libxcb-keysyms.so.1", "libxcb-keysyms1"),
    ("libxcb-image.so.0", "libxcb-image0"),
    ("libxcb-render-util.so.0", "libxcb-render-util0"),
    ("libxcb-shape.so.0", "libxcb-shape0"),
    ("libxcb-randr.so.0", "libxcb-randr0"),
    ("libxcb-xkb.so.1", "libxcb-xkb1"),
    ("libxkbcommon.so.0", "libxkbcommon0"),
    ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
    ("libEGL.so.1", "libegl1"),
    ("libGL.so.1", "libgl1"),
    ("libfontconfig.so.1", "libfontconfig1"),
    ("libfreetype.so.6", "libfreetype6"),
    ("libdbus-1.so.3", "libdbus-1-3"),
    ("libglib-2.0.so.0", "libglib2.0-0"),
)
_PACKAGES = dict(QT_LIBRARIES)

#: ``load(soname)`` loads a library or raises OSError (``"NAME: cannot open ..."``).
Loader = Callable[[str], object]
#: ``connect(display)`` is 0 when an X server answers on ``display``, else an error code.
Connector = Callable[[str], int]


def _load(soname: str) -> object:
    import ctypes

    return ctypes.CDLL(soname)


def _connect(display: str) -> int:
    """Connect to the X server on ``display`` as Qt would (libxcb), and leave; 0 when it answered."""
    import ctypes

    xcb = ctypes.CDLL("libxcb.so.1")
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.restype = ctypes.c_int
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.restype = None
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    connection = xcb.xcb_connect(display.encode(), None)
    try:
        return int(xcb.xcb_connection_has_error(connection))
    finally:
        xcb.xcb_disconnect(connection)


def _has_apt() -> bool:
    import shutil

    return shutil.which("apt-get") is not None


def library_of_error(message: str) -> str | None:
    """The library a loader's error names (``"libEGL.so.1: cannot open shared object file"``), if any."""
    name = message.split(":", 1)[0].strip()
    return name if ".so" in name and " " not in name else None


def missing_libraries_message(what: str, sonames: Sequence[str]) -> str:
    """``WHAT: missing system libraries: ... — install them with: sudo apt-get install ...``
    (packages by name where apt-get is; else the files, and the Debian/Ubuntu packages)."""
    known = [_PACKAGES[s] for s in sonames if s in _PACKAGES]
    unknown = [s for s in sonames if s not in _PACKAGES]
    many = len(sonames) > 1
    libraries = "libraries" if many else "library"
    if _has_apt():
        listed = " ".join([_PACKAGES.get(s, s) for s in sonames])
        line = f"{what}: missing system {libraries}: {listed}"
        if known:
            line += f" — install {'them' if many else 'it'} with: sudo apt-get install {' '.join(known)}"
            if unknown:
                line += (
                    f" (and the package{'s' * (len(unknown) > 1)} that provide{'s' * (len(unknown) == 1)} {' '.join(unknown)})"
                )
        return line
    line = f"{what}: missing system {libraries}: {' '.join(sonames)} — install the "
    line += "packages that provide them" if many else "package that provides it"
    if known:
        line += f" (on Debian/Ubuntu: sudo apt-get install {' '.join(known)})"
    return line


def desktop_problem(
    env: Mapping[str, str] | None = None,
    platform: str | None = None,
    *,
    load: Loader | None = None,
    connect: Connector | None = None,
) -> str | None:
    """Why Qt could not open a window here, as the one line to print; None when
    it can, or when that is Qt's to judge (see the module's doc).

    ``env`` (default ``os.environ``), ``platform`` (``sys.platform``), ``load`` and
    ``connect`` are what is looked at; tests give their own."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if not platform.startswith("linux"):
        return None
    requested = [p.split(":", 1)[0].strip() for p in env.get("QT_QPA_PLATFORM", "").split(";") if p.strip()]
    if requested and requested != ["xcb"]:
        return None  # offscreen, wayland, vnc, fallbacks...: chosen by the user, judged by Qt
    display = env.get("DISPLAY", "").strip()
    if not requested and env.get("WAYLAND_DISPLAY", "").strip():
        return None  # Qt may well open a Wayland window
    if not display:
        return NO_DISPLAY
    load = _load if load is None else load
    missing: list[str] = []
    for soname, _ in QT_LIBRARIES:
        try:
            load(soname)
        except OSError as err:
            name = library_of_error(str(err)) or soname
            if name not in missing:
                missing.append(name)
    if missing:
        return missing_libraries_message("Qt cannot open a window", missing)
    connect = _connect if connect is None else connect
    try:
        error = connect(display)
    except OSError:
        return None  # libxcb could not be asked: Qt will say
    if error:
        return (
            f"Qt cannot open a window: no X server answers on DISPLAY={display} (or it does not let this user in); "
            "check DISPLAY and XAUTHORITY, or run with QT_QPA_PLATFORM=offscreen to start without a window"
        )
    return None
