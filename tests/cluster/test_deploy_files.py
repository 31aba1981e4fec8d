"""The unit files of deploy/systemd pass `systemd-analyze verify` as installed: /opt/helsesak is this checkout
here, as scripts/cluster.sh runs their commands."""
import subprocess

from config import BASE_DIR


def test_the_units_pass_systemd_analyze_verify(tmp_path):
    units = []
    for unit in sorted((BASE_DIR / "deploy" / "systemd").glob("*.service")):
        rendered = tmp_path / unit.name
        rendered.write_text(unit.read_text().replace("/opt/helsesak", str(BASE_DIR)))
        units.append(str(rendered))
    assert len(units) == 2
    result = subprocess.run(["systemd-analyze", "verify", *units], capture_output=True, text=True)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")
