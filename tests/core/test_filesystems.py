"""Shared folders (issue 18): a project on a network filesystem is refused for writing."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import main
from annotator.core import filesystems
from annotator.core.filesystems import (
    filesystem_type,
    is_network_filesystem,
    mount_type_from_mount_output,
    mount_type_from_mountinfo,
)
from annotator.core.models import Document
from annotator.core.store import NetworkFilesystemError, Project

MOUNTINFO = """\
22 1 252:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw
35 22 0:31 / /mnt/share rw,relatime shared:20 - nfs4 server:/export rw,vers=4.2
36 35 0:32 / /mnt/share/local rw,relatime shared:21 - ext4 /dev/vdb1 rw
37 22 0:33 / /home/ana/remote\\040drive rw,nosuid shared:22 - fuse.sshfs ana@host:/data rw
38 22 0:34 / /srv/team rw shared:23 - cifs //nas/team rw
"""

MOUNT_OUTPUT = """\
/dev/disk3s1s1 on / (apfs, sealed, local, read-only, journaled)
//ana@nas._smb._tcp.local/team on /Volumes/team (smbfs, nodev, nosuid, mounted by ana)
server:/export on /Volumes/team work (nfs, nodev, nosuid)
"""


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/home/ana/corpus.annotator", "ext4"),
        ("/mnt/share/p.annotator", "nfs4"),
        ("/mnt/share", "nfs4"),
        ("/mnt/share/local/p.annotator", "ext4"),  # a local disk mounted inside the share
        ("/mnt/shared/p.annotator", "ext4"),  # a name that only begins like the share
        ("/home/ana/remote drive/p.annotator", "fuse.sshfs"),
        ("/srv/team/a/b.annotator", "cifs"),
    ],
)
def test_linux_mount_table(path: str, expected: str) -> None:
    assert mount_type_from_mountinfo(path, MOUNTINFO) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/Users/ana/p.annotator", "apfs"),
        ("/Volumes/team/p.annotator", "smbfs"),
        ("/Volumes/team work/p.annotator", "nfs"),
    ],
)
def test_macos_mount_output(path: str, expected: str) -> None:
    assert mount_type_from_mount_output(path, MOUNT_OUTPUT) == expected


def test_network_types() -> None:
    for fstype in ("nfs", "nfs4", "cifs", "smb3", "smbfs", "fuse.sshfs", "remote", "NFS"):
        assert is_network_filesystem(fstype), fstype
    for fstype in ("ext4", "apfs", "btrfs", "xfs", "tmpfs", "overlay", "ntfs", "fuse.portal", None):
        assert not is_network_filesystem(fstype), fstype


def test_this_machines_temporary_folder_is_local(tmp_path: Path) -> None:
    assert not is_network_filesystem(filesystem_type(tmp_path))


@pytest.fixture
def on_nfs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(filesystems, "filesystem_type", lambda path: "nfs4")


def make_project(path: Path) -> Path:
    with Project(path, create=True) as p, p.transaction():
        p.add_document(Document(id="d1", text="China and India met."), [])
    return path


def test_an_existing_project_on_a_network_share_is_refused_and_unchanged(tmp_path: Path, on_nfs: None) -> None:
    path = tmp_path / "team.annotator"
    with pytest.MonkeyPatch.context() as m:  # made while the folder was local
        m.setattr(filesystems, "filesystem_type", lambda path: "ext4")
        make_project(path)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(
        NetworkFilesystemError, match=r"team\.annotator: .*network filesystem \(nfs4\).*not opened for writing.*Copy it"
    ):
        Project(path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["team.annotator"]


def test_a_new_project_is_not_made_on_a_network_share(tmp_path: Path, on_nfs: None) -> None:
    with pytest.raises(NetworkFilesystemError):
        Project(tmp_path / "new.annotator", create=True)
    assert list(tmp_path.iterdir()) == []


def test_a_read_only_project_on_a_share_can_still_be_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = make_project(tmp_path / "team.annotator")
    path.chmod(0o444)
    monkeypatch.setattr(filesystems, "filesystem_type", lambda path: "cifs")
    try:
        with Project(path) as p:
            assert p.readonly and p.document_count() == 1
    finally:
        path.chmod(0o644)


def test_the_cli_says_why_and_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = make_project(tmp_path / "team.annotator")
    monkeypatch.setattr(filesystems, "filesystem_type", lambda path: "fuse.sshfs")
    result = CliRunner().invoke(main, ["stats", str(path)])
    assert result.exit_code != 0
    assert "network filesystem (fuse.sshfs)" in result.output and "Traceback" not in result.output
