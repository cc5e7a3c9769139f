#!/usr/bin/python3
"""Writes Configs/examples/activities.xlsx from Configs/examples/activities.csv with openpyxl (Debian's
python3-openpyxl), as a coordinator's spreadsheet program would save it: dates as real dates shown dd.mm.yyyy,
counts and municipality codes as numbers, text as inline strings, and a second sheet
that the import ignores. The spreadsheet tests read both files and expect the same events.

    /usr/bin/python3 Tests/Python/make_xlsx_example.py
"""
import csv
import datetime
import pathlib

import openpyxl

root = pathlib.Path(__file__).resolve().parents[2]
source = root / "Configs/examples/activities.csv"
target = root / "Configs/examples/activities.xlsx"
numbers = {"municipality", "participants", "families", "sessions"}

with source.open(encoding="utf-8", newline="") as handle:
    rows = list(csv.reader(handle, delimiter=";"))
header, data = rows[0], rows[1:]

book = openpyxl.Workbook()
sheet = book.active
sheet.title = "Aktiviteter"
sheet.append(header)
for row in data:
    values = []
    for name, cell in zip(header, row):
        if name == "date":
            values.append(datetime.date.fromisoformat(cell))
        elif name in numbers and cell:
            values.append(int(cell))
        elif cell == "":
            values.append(None)
        else:
            values.append(cell)
    sheet.append(values)
for cell in sheet["A"][1:]:
    cell.number_format = "dd.mm.yyyy"
other = book.create_sheet("Notater")
other.append(["Ikke importert", 1])
# Fixed metadata, so the file is the same each time it is written.
book.properties.creator = "knutepunkt"
stamp = datetime.datetime(2026, 1, 1)
book.properties.created = stamp
book.properties.modified = stamp
book.save(target)
print(f"wrote {target.relative_to(root)}")
