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


# kind → the dotted path of its column headings (heading → key), for the sample sheet
TEMPLATE_COLUMNS: dict[str, str] = {
    "members": "volunteer.members.importer.COLUMNS",
    "places": "volunteer.orgs.importer.PLACE_COLUMNS",
    "units": "volunteer.orgs.importer.UNIT_COLUMNS",
}


def template_headings(kind: str) -> list[str]:
    """The column headings of a kind's sheet, in order: the first row of its sample sheet."""
    return list(import_string(TEMPLATE_COLUMNS[kind]))


# kind → (label, importer)
IMPORTS: dict[str, SheetImport] = {
    "members": SheetImport(N_("党员"), _Importer("volunteer.members.importer.import_members")),
    "places": SheetImport(N_("街道、社区、网格"),
                          _Importer("volunteer.orgs.importer.import_places")),
    "units": SheetImport(N_("单位"), _Importer("volunteer.orgs.importer.import_units")),
}
