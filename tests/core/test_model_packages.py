"""``core.database.import_models()`` imports every feature's models, so the metadata that
Alembic compares (``volunteer db check``) holds every table."""

import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "volunteer"


def test_import_models_lists_every_models_module():
    modules = sorted(".".join(("volunteer", *path.relative_to(PACKAGE).with_suffix("").parts))
                     for path in PACKAGE.rglob("models.py"))
    assert "volunteer.tasks.models" in modules
    # a fresh interpreter: this one has imported every model already
    script = ("import sys\nfrom volunteer.core.database import import_models\n"
              "import_models()\n"
              f"print([m for m in {modules!r} if m not in sys.modules])")
    found = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           check=True, cwd=PACKAGE.parent)
    assert found.stdout.strip() == "[]"
