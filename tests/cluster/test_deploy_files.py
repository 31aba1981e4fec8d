"""The deployment files: the unit files of deploy/systemd pass `systemd-analyze verify` as installed (/opt/helsesak
is this checkout here, as scripts/cluster.sh runs their commands), and the guide renders the nginx site file as
scripts/cluster.sh does."""
import re
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


def _envsubst_variables(text: str) -> set[str]:
    (line,) = [line for line in text.splitlines() if line.lstrip().startswith("envsubst '")]
    return set(line.split("'")[1].split())


def test_the_guide_and_the_cluster_render_every_variable_of_the_nginx_site_file():
    template = set(re.findall(r"\$\{(HELSESAK_[A-Z_]+)\}", (BASE_DIR / "deploy" / "nginx.conf").read_text()))
    guide = _envsubst_variables((BASE_DIR / "docs" / "deployment.md").read_text())
    cluster = _envsubst_variables((BASE_DIR / "scripts" / "cluster.sh").read_text())
    assert guide == cluster == {f"${name}" for name in template}
