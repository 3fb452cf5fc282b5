"""Before Qt starts: when it could not open a window, one clear line says why and
what to install, instead of Qt's page of plugin messages and an abort."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

from annotator.cli import desktop

LINUX = pytest.mark.skipif(sys.platform != "linux", reason="Qt's xcb platform plugin is Linux's")


def env_without_display(**more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env.update(more)
    return env


def annotator(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """The real ``annotator`` command, as the console script runs it."""
    code = "import sys; from annotator.cli import start; sys.exit(start())"
    return subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=120)


def missing(*names: str, because: dict[str, str] | None = None):
    """A library loader that cannot find ``names`` (``because``: the library the
    loader names instead, as when a library's own dependency is missing)."""
    tried: list[str] = []

    def load(soname: str) -> object:
        tried.append(soname)
        if soname in names:
            raise OSError(f"{(because or {}).get(soname, soname)}: cannot open shared object file: No such file or directory")
        return object()

    load.tried = tried  # type: ignore[attr-defined]
    return load


def connects(display: str) -> int:
    return 0


def qt_libraries_here() -> bool:
    """Whether this machine has every system library Qt's xcb plugin loads."""
    return desktop.desktop_problem({"DISPLAY": ":0"}, "linux", connect=connects) is None


NEEDS_QT_LIBRARIES = pytest.mark.skipif(
    sys.platform != "linux" or not qt_libraries_here(), reason="needs the X11 libraries Qt's xcb plugin loads"
)


# -- the real command --------------------------------------------------------------
@LINUX
def test_no_display_is_one_clear_line_and_exit_1(tmp_path):
    result = annotator(env_without_display(ANNOTATOR_HOME=str(tmp_path / "home")))
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("annotator: no display to open the window on: set DISPLAY")
    assert "QT_QPA_PLATFORM=offscreen" in lines[0]
    assert "qt.qpa" not in result.stderr and "Aborted" not in result.stderr
    assert not (tmp_path / "home").exists()  # stopped before anything was made


@NEEDS_QT_LIBRARIES
def test_a_display_without_an_x_server_is_one_clear_line(tmp_path):
    number = 4711
    assert not Path(f"/tmp/.X11-unix/X{number}").exists()
    result = annotator(env_without_display(DISPLAY=f":{number}", ANNOTATOR_HOME=str(tmp_path / "home")))
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"annotator: Qt cannot open a window: no X server answers on DISPLAY=:{number}")


@LINUX
def test_open_command_says_it_too(tmp_path):
    project = tmp_path / "p.annotator"
    result = annotator(env_without_display(ANNOTATOR_HOME=str(tmp_path / "home")), "open", str(project), "--create")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [f"annotator: {desktop.NO_DISPLAY}"]


@NEEDS_QT_LIBRARIES
@pytest.mark.skipif(shutil.which("Xvfb") is None, reason="needs Xvfb")
def test_a_working_x_display_passes():
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    try:
        with os.fdopen(read) as fh:
            number = fh.readline().strip()  # written once the server is ready for clients
        assert number.isdigit(), "Xvfb did not start"
        assert desktop.desktop_problem({"DISPLAY": f":{number}"}, "linux") is None
    finally:
        server.terminate()
        server.wait(timeout=20)


# -- what is checked and said (libraries and environment injected) -----------------
def test_missing_libraries_are_named_with_what_to_install(monkeypatch):
    monkeypatch.setattr(desktop, "_has_apt", lambda: True)
    load = missing("libxcb-cursor.so.0", "libxcb-image.so.0", because={"libxcb-image.so.0": "libxcb-shm.so.0"})
    problem = desktop.desktop_problem({"DISPLAY": ":0"}, "linux", load=load, connect=connects)
    assert problem == (
        "Qt cannot open a window: missing system libraries: libxcb-cursor0 libxcb-shm0 "
        "— install them with: sudo apt-get install libxcb-cursor0 libxcb-shm0"
    )
    assert "libEGL.so.1" in load.tried and "libxkbcommon-x11.so.0" in load.tried


def test_without_apt_the_libraries_are_named_by_file(monkeypatch):
    monkeypatch.setattr(desktop, "_has_apt", lambda: False)
    problem = desktop.desktop_problem({"DISPLAY": ":0"}, "linux", load=missing("libEGL.so.1"), connect=connects)
    assert problem == (
        "Qt cannot open a window: missing system library: libEGL.so.1 "
        "— install the package that provides it (on Debian/Ubuntu: sudo apt-get install libegl1)"
    )
    load = missing("libEGL.so.1", "libGL.so.1", because={"libEGL.so.1": "libfoo.so.2"})
    problem = desktop.desktop_problem({"DISPLAY": ":0"}, "linux", load=load, connect=connects)
    assert problem == (
        "Qt cannot open a window: missing system libraries: libfoo.so.2 libGL.so.1 "
        "— install the packages that provide them (on Debian/Ubuntu: sudo apt-get install libgl1)"
    )
    monkeypatch.setattr(desktop, "_has_apt", lambda: True)
    problem = desktop.desktop_problem({"DISPLAY": ":0"}, "linux", load=load, connect=connects)
    assert problem == (
        "Qt cannot open a window: missing system libraries: libfoo.so.2 libgl1 "
        "— install them with: sudo apt-get install libgl1 (and the package that provides libfoo.so.2)"
    )


@pytest.mark.parametrize(
    "env, expected",
    [
        ({}, desktop.NO_DISPLAY),
        ({"QT_QPA_PLATFORM": "xcb"}, desktop.NO_DISPLAY),
        ({"QT_QPA_PLATFORM": " "}, desktop.NO_DISPLAY),
        ({"QT_QPA_PLATFORM": "offscreen"}, None),  # chosen: no window needed
        ({"QT_QPA_PLATFORM": "wayland"}, None),  # another platform: Qt's to judge
        ({"QT_QPA_PLATFORM": "xcb;offscreen"}, None),  # a fallback: Qt's to judge
        ({"WAYLAND_DISPLAY": "wayland-0"}, None),
        ({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, None),
        ({"DISPLAY": ":0"}, None),
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb"}, None),
    ],
)
def test_which_environments_are_checked(env, expected):
    load = missing()
    assert desktop.desktop_problem(env, "linux", load=load, connect=connects) == expected


@pytest.mark.parametrize("platform", ["darwin", "win32"])
def test_other_systems_are_left_to_qt(platform):
    assert desktop.desktop_problem({}, platform, load=missing("libGL.so.1"), connect=connects) is None


def test_an_x_server_that_does_not_answer():
    problem = desktop.desktop_problem({"DISPLAY": "host:3"}, "linux", load=missing(), connect=lambda d: 1)
    assert problem is not None and problem.startswith("Qt cannot open a window: no X server answers on DISPLAY=host:3")


@LINUX
def test_the_entry_prints_one_line_and_starts_nothing(monkeypatch, capsys, tmp_path):
    import annotator.cli as cli

    monkeypatch.setattr(desktop, "_has_apt", lambda: True)
    monkeypatch.setattr(desktop, "_load", missing("libxcb-cursor.so.0"))
    monkeypatch.setattr(desktop, "_connect", connects)
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setenv("ANNOTATOR_HOME", str(tmp_path / "home"))
    started = []
    app = types.ModuleType("annotator.ui.app")  # were it reached, Qt would abort this process
    app.run = lambda path: started.append(path) or 0  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "annotator.ui.app", app)
    assert cli.start([]) == 1
    assert started == []
    err = capsys.readouterr().err
    assert err == (
        "annotator: Qt cannot open a window: missing system library: libxcb-cursor0 "
        "— install it with: sudo apt-get install libxcb-cursor0\n"
    )
    assert not (tmp_path / "home").exists()


def test_a_qt_library_that_cannot_load_is_named_with_its_package(monkeypatch, capsys, tmp_path):
    """Qt's own libraries need some system libraries too (also offscreen): importing
    Qt then fails; the message names the package."""
    import annotator.cli as cli

    monkeypatch.setattr(desktop, "_has_apt", lambda: True)
    monkeypatch.setenv("ANNOTATOR_HOME", str(tmp_path / "home"))

    def no_egl(name, *args, **kwargs):
        if name == "annotator.ui.app":
            raise ImportError("libEGL.so.1: cannot open shared object file: No such file or directory")
        return real_import(name, *args, **kwargs)

    import builtins

    real_import = builtins.__import__
    monkeypatch.setattr(builtins, "__import__", no_egl)
    assert cli.start([]) == 1
    assert capsys.readouterr().err == (
        "annotator: Qt cannot start: missing system library: libegl1 — install it with: sudo apt-get install libegl1\n"
    )
