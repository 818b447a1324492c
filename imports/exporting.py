"""Writing .xlsx files in the import format: exports, templates and error reports.

openpyxl write-only mode streams rows to the file, so an export of a city's 289,513
enterprises keeps a small, constant memory footprint.
"""

import datetime

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from .readers import column_letter

FORMULA_STARTS = ("=", "+", "-", "@")
HEADER_FONT = Font(bold=True)
REQUIRED_FILL = PatternFill("solid", fgColor="FFF2CC")
DATE_FORMAT = "yyyy-mm-dd"


def safe_cell(sheet, value):
    """A cell Excel will not run as a formula: text starting with = + - @ is stored as quoted text."""
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
        cell.quotePrefix = True
    elif isinstance(value, (datetime.date, datetime.datetime)):
        cell.number_format = DATE_FORMAT
    return cell


def header_cells(sheet, headers, required=()):
    cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = HEADER_FONT
        if header in required:
            cell.fill = REQUIRED_FILL
        cells.append(cell)
    return cells


def write_sheet(workbook, title, headers, rows, widths=18):
    sheet = workbook.create_sheet(title=title[:31])
    for index in range(len(headers)):
        sheet.column_dimensions[column_letter(index)].width = widths
    sheet.freeze_panes = "A2"
    sheet.append(header_cells(sheet, headers))
    for row in rows:
        sheet.append([safe_cell(sheet, value) for value in row])
    return sheet


def write_export(kind, queryset, user, target):
    """The rows of ``queryset`` in ``kind``'s import format, as an .xlsx written to ``target``."""
    workbook = openpyxl.Workbook(write_only=True)
    write_sheet(workbook, kind.sheet_name, kind.headers, kind.export_rows(queryset, user))
    workbook.save(target)


def write_template(kind, target):
    """Headers (required ones marked *), one example row and drop-down lists for choice columns."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = kind.sheet_name
    for index, column in enumerate(kind.columns, start=1):
        cell = sheet.cell(row=1, column=index, value=column.header + ("*" if column.required else ""))
        cell.font = HEADER_FONT
        if column.required:
            cell.fill = REQUIRED_FILL
        example = column.example
        sheet.cell(row=2, column=index, value=example if example != "" else None)
        sheet.column_dimensions[column_letter(index - 1)].width = max(12, len(column.header) * 2 + 4)
        if column.choices:
            options = ",".join(column.choices)
            validation = DataValidation(type="list", formula1=f'"{options}"', allow_blank=True)
            validation.error = f"请从下拉列表中选择{column.header}"
            validation.errorTitle = "输入有误"
            validation.prompt = "可选：" + "、".join(column.choices)
            sheet.add_data_validation(validation)
            validation.add(f"{column_letter(index - 1)}2:{column_letter(index - 1)}10000")
    sheet.freeze_panes = "A2"
    workbook.save(target)


def write_error_report(sheets, target):
    """sheets: [(title, header values, [(row values, reason)])] → refused rows with 错误原因."""
    workbook = openpyxl.Workbook(write_only=True)
    for title, headers, rows in sheets:
        write_sheet(workbook, title, ["Excel行号", *headers, "错误原因"],
                    ([number, *values, reason] for number, values, reason in rows))
    if not sheets:
        write_sheet(workbook, "错误", ["错误原因"], [])
    workbook.save(target)
