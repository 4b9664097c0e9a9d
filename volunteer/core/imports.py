"""Every sheet import, for the admin import page and ``volunteer import KIND``.

A neutral registry: it names each feature's importer by its dotted path and imports it when
called, so ``core`` depends on no feature and the features' importers (``members``,
``orgs``) and the edges that list them (the admin page, the CLI) all import from here one way.
"""

from collections.abc import Callable
from typing import NamedTuple

from werkzeug.utils import import_string

from volunteer.core.i18n import N_


class _Importer:
    """A feature's ``import_*`` function, found by its dotted path when called."""

    def __init__(self, path: str):
        self.path = path

    def __call__(self, *args, **kwargs):
        return import_string(self.path)(*args, **kwargs)


class SheetImport(NamedTuple):
    label: str
    importer: Callable  # (rows, *, actor=None, dry_run=False, progress=None) -> ImportResult


# kind → (label, importer)
IMPORTS: dict[str, SheetImport] = {
    "members": SheetImport(N_("党员"), _Importer("volunteer.members.importer.import_members")),
    "places": SheetImport(N_("街道、社区、网格"),
                          _Importer("volunteer.orgs.importer.import_places")),
    "units": SheetImport(N_("单位"), _Importer("volunteer.orgs.importer.import_units")),
    "branches": SheetImport(N_("功能型党组织"),
                            _Importer("volunteer.orgs.importer.import_branches")),
    "staff": SheetImport(N_("工作人员账号"), _Importer("volunteer.auth.importer.import_staff")),
}
# kind → the dotted path of the importer module's SAMPLE: the header and example rows of a
# sheet it reads, offered for download as a template
SAMPLES = {
    "members": "volunteer.members.importer.SAMPLE",
    "places": "volunteer.orgs.importer.PLACE_SAMPLE",
    "units": "volunteer.orgs.importer.UNIT_SAMPLE",
    "branches": "volunteer.orgs.importer.BRANCH_SAMPLE",
    "staff": "volunteer.auth.importer.SAMPLE",
}


def sample_sheet(kind: str) -> list[list]:
    """The template sheet of an import: its header row, then example rows."""
    return import_string(SAMPLES[kind])
