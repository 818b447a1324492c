"""Helpers for import tests: write small .xlsx / .csv files from rows."""

import csv
import datetime

import openpyxl
import pytest

from partybuild.testdata import make_credit_code, make_id_number


def write_xlsx(path, rows, title=None, sheet_name=None):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if sheet_name:
        sheet.title = sheet_name
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(len(rows[0]), 1))
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def write_workbook(path, sheets):
    """sheets: {sheet name: rows}."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def write_csv(path, rows, encoding="utf-8"):
    with open(path, "w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


ENTERPRISE_HEADER = ["企业名称", "统一社会信用代码", "所属区域", "企业类型", "经营状态", "职工人数", "成立日期"]


def enterprise_row(serial, region="320506101", **overrides):
    row = {
        "企业名称": f"测试企业{serial}有限公司",
        "统一社会信用代码": make_credit_code(1000 + serial, "320506"),
        "所属区域": region,
        "企业类型": "有限责任公司",
        "经营状态": "在营",
        "职工人数": 30 + serial,
        "成立日期": "2001-03-04",
    }
    row.update(overrides)
    return [row[header] for header in ENTERPRISE_HEADER]


@pytest.fixture
def xlsx(tmp_path):
    counter = iter(range(1000))

    def make(rows, **kwargs):
        return str(write_xlsx(tmp_path / f"file{next(counter)}.xlsx", rows, **kwargs))

    return make


@pytest.fixture
def person_id():
    return lambda serial: make_id_number(serial, datetime.date(1985, 6, 1))


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """The shared users fixture hashes seven passwords; a fast hasher keeps these tests quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def login(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in
