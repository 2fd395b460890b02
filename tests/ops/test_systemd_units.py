"""deploy/systemd/: the units real hosts run, checked by `systemd-analyze verify` (systemd's own
parser: unknown keys, bad values, missing executables). The replica template is verified as an
instance (kb-api@8101) with its paths pointed at this checkout and a temporary data directory,
since verify checks that ExecStart's binary exists."""
import shutil
import subprocess
from pathlib import Path

import pytest

from support import ROOT  # noqa: E402
UNITS = ROOT / "deploy" / "systemd"
SYSTEMD_ANALYZE = shutil.which("systemd-analyze") or "/usr/bin/systemd-analyze"


def verify(*paths):
    if not Path(SYSTEMD_ANALYZE).exists():
        pytest.fail("systemd-analyze is missing (Debian package systemd)", pytrace=False)
    result = subprocess.run([SYSTEMD_ANALYZE, "verify", "--man=no", *map(str, paths)],
                            capture_output=True, text=True, timeout=60)
    # verify exits 0 on keys it ignores: any message at all is a finding
    return result.returncode, (result.stdout + result.stderr).strip()


def localized(tmp_path, name):
    """The unit with its host paths replaced by this checkout's and a temporary data dir."""
    text = (UNITS / name).read_text()
    assert "/opt/syria-kb" in text or name != "kb-api@.service"
    text = text.replace("/opt/syria-kb", str(ROOT)).replace("/srv/kb", str(tmp_path / "data"))
    text = text.replace("User=kb", "User=root").replace("Group=kb", "Group=root")
    (tmp_path / name).write_text(text)
    return tmp_path / name


def test_the_check_finds_mistakes(tmp_path):
    bad = tmp_path / "bad.service"
    bad.write_text("[Service]\nExecStart=/bin/true\nRestart=sometimes\n")
    assert verify(bad)[1], "systemd-analyze verify said nothing about an invalid Restart="


def test_replica_template_unit_verifies(tmp_path):
    (tmp_path / "data").mkdir()
    unit = localized(tmp_path, "kb-api@.service")
    target = localized(tmp_path, "kb-api.target")
    text = unit.read_text()
    assert f"ExecStart={ROOT}/.venv/bin/python deploy/serve.py" in text
    assert "PORT=%i" in text and "Restart=on-failure" in text and "ProtectSystem=strict" in text
    assert verify(tmp_path / "kb-api@8101.service", target) == (0, "")


def test_nginx_unit_verifies():
    assert verify(UNITS / "kb-nginx.service") == (0, "")
