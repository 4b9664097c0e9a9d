#!/usr/bin/env bash
# The package as a non-editable install sees it: build the sdist and, from it, the wheel; install
# the wheel in a fresh virtualenv outside the checkout; then, from a folder outside the checkout
# with a fresh instance folder, upgrade an empty SQLite database, check the migrations against
# the models, and render the login page and a static file. Also checks that the sdist carries
# templates/ and migrations/. Run from anywhere: `bash .ci/wheel.sh`.
# Settings: PYTHON (interpreter, default python3), KEEP_WORK=1 keeps the scratch folder.
set -euo pipefail
exec </dev/null

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
PYTHON=${PYTHON:-python3}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tongtong-wheel.XXXXXX")
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
[[ ${KEEP_WORK:-} == 1 ]] || trap 'rm -rf "$WORK"' EXIT

step() { printf "\n---- [%ss] %s\n" "$SECONDS" "$*"; }

# Virtualenvs without pip of their own: the interpreter's pip installs into them (--python), which
# saves a bootstrap of pip per virtualenv; --no-compile saves byte-compiling what is installed.
new_venv() { "$PYTHON" -m venv --without-pip "$1"; }
pip_into() { local venv=$1; shift; "$PYTHON" -m pip --python "$venv/bin/python" install --quiet --no-compile "$@"; }

step "build the sdist, then the wheel from the sdist (python -m build)"
new_venv "$WORK/build-venv"
pip_into "$WORK/build-venv" build "setuptools>=68" wheel
# From a copy of the files git tracks or would track (not ignored): what a clone has once the
# work is committed. Nothing ignored (build/, instance/, caches) slips into the packages.
mkdir -p "$WORK/src"
git -C "$ROOT" ls-files -z --cached --others --exclude-standard \
  | (cd "$ROOT" && xargs -0 cp --parents -t "$WORK/src" --)
# --no-isolation: the build virtualenv above is already fresh, and one is quicker than two.
"$WORK/build-venv/bin/python" -m build --no-isolation --outdir "$WORK/dist" "$WORK/src" \
  >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }
ls -l "$WORK/dist"
sdist=$(ls "$WORK"/dist/*.tar.gz)
wheel=$(ls "$WORK"/dist/*.whl)

step "the sdist carries templates/ and migrations/"
"$PYTHON" - "$sdist" "$ROOT" <<'PY'
import subprocess, sys, tarfile
from pathlib import PurePosixPath

sdist, root = sys.argv[1:]
with tarfile.open(sdist) as tar:
    names = {str(PurePosixPath(*PurePosixPath(n).parts[1:])) for n in tar.getnames()}
tracked = subprocess.run(["git", "-C", root, "ls-files", "--cached", "--others",
                          "--exclude-standard", "templates", "migrations"],
                         check=True, capture_output=True, text=True).stdout.split()
missing = sorted(set(tracked) - names)
print(f"sdist: {len(tracked)} tracked files under templates/ and migrations/, {len(missing)} missing")
sys.exit(f"missing from the sdist: {missing}" if missing else 0)
PY

step "the wheel carries them as volunteer/_templates and volunteer/_migrations"
"$PYTHON" - "$wheel" "$ROOT" <<'PY'
import subprocess, sys, zipfile

wheel, root = sys.argv[1:]
names = set(zipfile.ZipFile(wheel).namelist())
tracked = subprocess.run(["git", "-C", root, "ls-files", "--cached", "--others",
                          "--exclude-standard", "templates", "migrations"],
                         check=True, capture_output=True, text=True).stdout.split()
missing = sorted(p for p in tracked if f"volunteer/_{p}" not in names)
stray = sorted(n for n in names if "__pycache__" in n or n.split("/")[0] in {"templates", "migrations"})
print(f"wheel: {len(names)} files; {len(missing)} of {len(tracked)} templates/migrations missing")
sys.exit(f"missing: {missing}; stray: {stray}" if missing or stray else 0)
PY

step "install the wheel in a fresh virtualenv outside the checkout"
new_venv "$WORK/venv"
pip_into "$WORK/venv" "$wheel"

step "from a folder outside the checkout: db upgrade, db check, the login page"
mkdir -p "$WORK/elsewhere"
cd "$WORK/elsewhere"
export SECRET_KEY=ci-wheel-check-not-secret
export VOLUNTEER_INSTANCE_PATH="$WORK/instance"
export DATABASE_URL="sqlite:///$WORK/wheel.sqlite3"
unset PYTHONPATH FLASK_APP
"$WORK/venv/bin/volunteer" db upgrade
"$WORK/venv/bin/volunteer" db check
"$WORK/venv/bin/python" - "$ROOT" <<'PY'
import sys
from pathlib import Path

import volunteer
from volunteer import create_app

root = Path(sys.argv[1]).resolve()
package = Path(volunteer.__file__).resolve().parent
assert root not in package.parents, f"imported from the checkout: {package}"
app = create_app()
for folder in (app.template_folder, app.extensions["migrate"].directory):
    assert Path(folder).resolve().parent == package, f"not the installed copy: {folder}"

client = app.test_client()
page = client.get("/login")
assert page.status_code == 200, page.status_code
html = page.get_data(as_text=True)
assert "登录" in html and "手机号" in html, html[:500]
stylesheet = next(s for s in html.split('"') if s.startswith("/static/") and s.endswith(".css"))
static = client.get(stylesheet)
assert static.status_code == 200 and static.data, (stylesheet, static.status_code)
static.close()
print(f"login page 200 ({len(html)} characters), {stylesheet} 200 ({len(static.data)} bytes)")
print(f"templates: {app.template_folder}")
PY
printf '\nwheel check passed\n'
