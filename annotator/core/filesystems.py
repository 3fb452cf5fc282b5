"""Which filesystem a project file is on: network drives are refused for writing.

SQLite's locking and its write-ahead log need a local filesystem: on NFS, SMB/CIFS,
sshfs and the like, locks may be silently ignored and the WAL's shared memory
does not work across machines, so two people (or one person on two machines)
editing one file there can corrupt it or lose work (SQLite's own documentation
says so: "How To Corrupt An SQLite Database File", section 2).  A team works on
packages on their own disks and the lead collects them back (docs/team.md).

No SQL here: this reads the operating system's mount table (Linux
``/proc/self/mountinfo``, the ``mount`` command's output on macOS) or asks
Windows for the drive type.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from annotator.core.errors import NetworkFilesystemError

__all__ = [
    "NETWORK_FILESYSTEMS",
    "filesystem_type",
    "is_network_filesystem",
    "mount_type_from_mountinfo",
    "mount_type_from_mount_output",
    "refuse_network_filesystem",
]

#: Filesystem types (as Linux and macOS name them) that are network or cluster
#: filesystems. FUSE types are named ``fuse.<program>``.
NETWORK_FILESYSTEMS = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb",
        "smb2",
        "smb3",
        "smbfs",
        "ncpfs",
        "afs",
        "afpfs",
        "webdav",
        "davfs",
        "ceph",
        "glusterfs",
        "lustre",
        "gpfs",
        "beegfs",
        "ocfs2",
        "gfs2",
        "sshfs",
        "fuse.sshfs",
        "fuse.rclone",
        "fuse.davfs2",
        "fuse.glusterfs",
        "fuse.ceph",
        "fuse.s3fs",
        "fuse.gcsfuse",
        "fuse.cephfs",
        "fuse.juicefs",
        "fuse.mergerfs",
    }
)

#: Windows' ``GetDriveTypeW`` value of a network drive.
_DRIVE_REMOTE = 4


def _unescape_mount(field: str) -> str:
    """A mount table field with its octal escapes (``\\040`` for a space) decoded."""
    out, i = [], 0
    while i < len(field):
        digits = field[i + 1 : i + 4]
        if field[i] == "\\" and len(digits) == 3 and digits.isdigit():
            out.append(chr(int(field[i + 1 : i + 4], 8)))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def _within(path: str, mount_point: str) -> bool:
    return path == mount_point or path.startswith(mount_point.rstrip("/") + "/")


def mount_type_from_mountinfo(path: str, mountinfo: str) -> str | None:
    """The filesystem type of the deepest mount holding ``path`` (absolute, resolved),
    read from the text of Linux's ``/proc/self/mountinfo``."""
    best: tuple[int, str] | None = None
    for line in mountinfo.splitlines():
        left, sep, right = line.partition(" - ")
        fields = left.split()
        if not sep or len(fields) < 5 or not right.split():
            continue
        mount_point = _unescape_mount(fields[4])
        if _within(path, mount_point) and (best is None or len(mount_point) >= best[0]):
            best = (len(mount_point), right.split()[0])
    return best[1] if best else None


def mount_type_from_mount_output(path: str, output: str) -> str | None:
    """The filesystem type of the deepest mount holding ``path``, read from the
    output of macOS's (or BSD's) ``mount``: ``//u@server/share on /Volumes/share (smbfs, nodev, ...)``."""
    best: tuple[int, str] | None = None
    for line in output.splitlines():
        _, on, rest = line.partition(" on ")
        mount_point, paren, options = rest.rpartition(" (")
        if not on or not paren:
            continue
        fstype = options.split(",")[0].rstrip(")").strip()
        if _within(path, mount_point) and (best is None or len(mount_point) >= best[0]):
            best = (len(mount_point), fstype)
    return best[1] if best else None


def filesystem_type(path: Path) -> str | None:
    """The type of the filesystem holding ``path`` (e.g. ``ext4``, ``nfs4``,
    ``fuse.sshfs``; ``remote`` for a Windows network drive), None when unknown."""
    try:
        target = str(path.resolve())
    except OSError:
        return None
    if sys.platform.startswith("linux"):
        try:
            with open("/proc/self/mountinfo", encoding="utf-8", errors="surrogateescape") as fh:
                return mount_type_from_mountinfo(target, fh.read())
        except OSError:
            return None
    if sys.platform == "win32":
        return _windows_drive_type(target)
    if sys.platform == "darwin" or "bsd" in sys.platform:
        import subprocess  # only here: not needed to open a project on Linux or Windows

        try:
            out = subprocess.run(["/sbin/mount"], capture_output=True, text=True, timeout=5, check=False).stdout
        except (OSError, subprocess.SubprocessError):
            return None
        return mount_type_from_mount_output(target, out)
    return None


def _windows_drive_type(target: str) -> str | None:  # pragma: no cover - Windows only
    if target.startswith("\\\\") and not target.startswith("\\\\?\\"):
        return "remote"  # a UNC path: \\server\share\...
    import ctypes

    root = os.path.splitdrive(target)[0] + "\\"
    kind = ctypes.windll.kernel32.GetDriveTypeW(ctypes.c_wchar_p(root))  # type: ignore[attr-defined]
    return "remote" if kind == _DRIVE_REMOTE else None


def is_network_filesystem(fstype: str | None) -> bool:
    """Whether a filesystem type names a network filesystem."""
    return fstype is not None and (fstype == "remote" or fstype.lower() in NETWORK_FILESYSTEMS)


def refuse_network_filesystem(path: Path) -> None:
    """Raise :class:`NetworkFilesystemError` when ``path`` (a project file, or where
    one would be made) is on a network filesystem."""
    where = path if path.exists() else path.parent
    fstype = filesystem_type(where)
    if is_network_filesystem(fstype):
        drive = "a network drive" if fstype == "remote" else f"a network filesystem ({fstype})"
        raise NetworkFilesystemError(
            f"{path}: this project file is on {drive}, where the database's locking and its "
            "write-ahead log are not safe (work could be lost or the file damaged), so it is not opened "
            "for writing. Copy it to a folder on this computer's own disk and open the copy; a team hands "
            "out packages (annotator assign) that each person works on locally, then the lead collects "
            "them back (annotator collect)."
        )
