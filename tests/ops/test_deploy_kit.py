"""The files under ``deploy/`` are checked by the tools that will read them: systemd's unit
verifier, ``nginx -t`` and gunicorn's own config check; the nginx body limit equals the app's."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from volunteer.config import Defaults

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def _tool(name: str) -> str:
    found = shutil.which(name) or (f"/usr/sbin/{name}" if Path(f"/usr/sbin/{name}").exists()
                                   else None)
    if found is None:
        pytest.skip(f"{name} is not installed (.ci/run installs it)")
    return found


@pytest.mark.parametrize("unit", ["tongtong-web.service", "tongtong-scheduler.service"])
def test_systemd_units_verify(unit, tmp_path):
    verify = _tool("systemd-analyze")
    text = (DEPLOY / "systemd" / unit).read_text()
    # the units name the server's paths; here the same programs live in this interpreter's bin
    bin_dir = Path(sys.executable).parent
    for program in ("gunicorn", "volunteer"):
        real = shutil.which(program) or str(bin_dir / program)
        text = text.replace(f"/srv/tongtong/venv/bin/{program}", real)
    (tmp_path / unit).write_text(text)
    done = subprocess.run([verify, "verify", str(tmp_path / unit)], capture_output=True,
                          text=True)
    problems = [line for line in (done.stdout + done.stderr).splitlines()
                if line.strip() and "Failed to resolve user" not in line]
    assert done.returncode == 0 and not problems, problems


def test_nginx_site_passes_nginx_t(tmp_path):
    nginx = _tool("nginx")
    openssl = _tool("openssl")
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=tongtong.test", "-keyout", str(tmp_path / "key.pem"),
                    "-out", str(tmp_path / "cert.pem")], check=True, capture_output=True)
    site = (DEPLOY / "nginx" / "tongtong.conf").read_text()
    site = (site.replace("/etc/ssl/tongtong/fullchain.pem", str(tmp_path / "cert.pem"))
                .replace("/etc/ssl/tongtong/privkey.pem", str(tmp_path / "key.pem"))
                .replace("/var/log/nginx/", f"{tmp_path}/")
                .replace("/srv/tongtong/app/", f"{ROOT}/"))
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        "events {}\nhttp {\n"
        f"  access_log {tmp_path}/access.log;\n"
        f"  client_body_temp_path {tmp_path};\n  include {tmp_path}/site.conf;\n}}\n")
    done = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_nginx_body_limit_equals_the_apps():
    site = (DEPLOY / "nginx" / "tongtong.conf").read_text()
    size = re.search(r"client_max_body_size\s+(\d+)m;", site)
    assert size and int(size.group(1)) * 1024 * 1024 == Defaults.MAX_CONTENT_LENGTH


def test_gunicorn_config_checks(tmp_path):
    gunicorn = _tool("gunicorn")
    done = subprocess.run([gunicorn, "--check-config", "-c", str(DEPLOY / "gunicorn.conf.py"),
                           "wsgi:app"], cwd=ROOT, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "SECRET_KEY": "check-only",
                               "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
                               "VOLUNTEER_INSTANCE_PATH": str(tmp_path),
                               "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
