"""One build step pyproject.toml cannot state: ship the top-level folders inside the package.

The project keeps ``templates/`` and ``migrations/`` at the top of the repository. A wheel carries
only packages, so the build copies them to ``volunteer/_templates`` and ``volunteer/_migrations``,
where ``volunteer.project_folder()`` finds them when there is no checkout. MANIFEST.in puts the
same folders in the sdist. An editable install builds nothing: it reads the checkout's folders.
Everything else about the build lives in pyproject.toml.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SHIPPED = {"templates": "volunteer/_templates", "migrations": "volunteer/_migrations"}


class BuildPyWithProjectFolders(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        for source, target in SHIPPED.items():
            destination = Path(self.build_lib, target)
            shutil.rmtree(destination, ignore_errors=True)  # no stale file from an earlier build
            shutil.copytree(
                source, destination, ignore=shutil.ignore_patterns("__pycache__", "*.py[cod]")
            )


setup(cmdclass={"build_py": BuildPyWithProjectFolders})
