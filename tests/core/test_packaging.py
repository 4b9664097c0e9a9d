"""Where the app finds templates, migrations and its instance folder: checkout or installed wheel.

The wheel itself is built, installed and run by `.ci/wheel.sh`; these tests pin the choice.
"""

import sys
from pathlib import Path

import volunteer
from volunteer import ROOT, default_instance_path, project_folder

PACKAGE = Path(volunteer.__file__).resolve().parent


def test_a_checkout_uses_its_top_level_folders(app):
    assert project_folder("templates") == ROOT / "templates"
    assert project_folder("migrations") == ROOT / "migrations"
    assert Path(app.template_folder) == ROOT / "templates"
    assert Path(app.extensions["migrate"].directory) == ROOT / "migrations"
    assert default_instance_path() == ROOT / "instance"


def test_an_installed_package_uses_the_copies_the_wheel_carries(monkeypatch, tmp_path):
    # Installed, the package's parent is site-packages: no pyproject.toml there.
    (tmp_path / "templates").mkdir()  # some other distribution's stray folder is not ours
    monkeypatch.setattr(volunteer, "ROOT", tmp_path)
    assert project_folder("templates") == PACKAGE / "_templates"
    assert project_folder("migrations") == PACKAGE / "_migrations"
    assert default_instance_path() == Path(sys.prefix) / "var" / "volunteer-instance"
