"""The city-scale path of the enterprise import: new rows checked and written without model instances.

New enterprise rows are validated by ``Enterprise.clean()`` run on their values (memoised on the
attributes it reads) and written as value rows (SQLite: multi-row INSERT; PostgreSQL: COPY from
a helper thread). These tests hold that path to the same rules and history as the model's.
"""

import datetime

import pytest

from django.utils import timezone

from enterprises.models import Enterprise
from enterprises.resources import EnterpriseImport
from imports.engine import _Values, run_import

from .conftest import ENTERPRISE_HEADER, enterprise_row, write_workbook


class _Recording(_Values):
    __slots__ = ("read",)

    def __init__(self, values):
        super().__init__(values)
        object.__setattr__(self, "read", set())

    def __getattr__(self, name):
        self.read.add(name)
        return super().__getattr__(name)


def test_clean_attributes_name_everything_enterprise_clean_reads():
    """The memo key of clean_new_values covers every attribute Enterprise.clean() looks at."""
    kind = EnterpriseImport()
    future = timezone.localdate() + datetime.timedelta(days=3)
    defaults = kind._defaults()
    read = set()
    for values in ({}, {"founded_on": future, "status_changed_on": future, "introduced_on": future},
                   {"is_newly_introduced": True, "introduced_on": future}):
        view = _Recording(dict(defaults, **values))
        try:
            Enterprise.clean(view)
        except Exception:  # noqa: BLE001 - only the attributes read matter here
            pass
        read |= view.read
    assert read <= set(kind.clean_attributes), read - set(kind.clean_attributes)


def test_it_refuses_every_row_with_a_future_date_though_the_check_is_memoised(users, xlsx):
    """The same refused value on several rows gives the model's message on each of them."""
    future = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    rows = [ENTERPRISE_HEADER] + [enterprise_row(serial, 成立日期=future) for serial in range(3)]
    rows.append(enterprise_row(9))
    before = Enterprise.objects.count()
    result = run_import("enterprises", xlsx(rows), user=users["staff"])
    assert [(error["row"], error["column"], error["message"]) for error in result.errors] == [
        (row, "成立日期", "成立日期不能晚于今天") for row in (2, 3, 4)]
    assert Enterprise.objects.count() == before


def test_new_rows_get_model_defaults_timestamps_and_a_history_row_naming_the_importer(users, xlsx):
    """Rows written from values carry the defaults, both timestamps and a ``+`` history row."""
    rows = [ENTERPRISE_HEADER] + [enterprise_row(serial) for serial in range(5)]
    result = run_import("enterprises", xlsx(rows), user=users["staff"])
    assert result.ok and result.created == 5, result.errors
    enterprise = Enterprise.objects.get(credit_code=enterprise_row(3)[1])
    assert (enterprise.has_fixed_premises, enterprise.is_newly_introduced, enterprise.status) == (
        True, False, "operating")
    assert enterprise.created_at is not None and enterprise.created_at == enterprise.updated_at
    history = list(enterprise.history.all())
    assert [(entry.history_type, entry.history_user_id, entry.name) for entry in history] == [
        ("+", users["staff"].pk, enterprise.name)]
    imported = Enterprise.history.filter(credit_code__in=[row[1] for row in rows[1:]])
    assert imported.count() == 5
    again = run_import("enterprises", xlsx(rows), user=users["staff"])
    assert (again.created, again.unchanged, imported.count()) == (0, 5, 5)


def test_a_write_the_database_refuses_stops_the_run_and_writes_nothing(users, xlsx, tmp_path):
    """PostgreSQL refuses a row in the background COPY (here a trigger refuses one name, standing
    in for any refusal validation cannot foresee): the run stops with the rows' range, the
    following workbook sheets are not read, nothing is kept."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the COPY path is PostgreSQL's")
    refused_name = "测试企业2有限公司"  # enterprise_row(2)
    with connection.cursor() as cursor:  # DDL is transactional: rolled back with the test
        cursor.execute(
            "CREATE FUNCTION pb_test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF NEW.name = %s THEN RAISE EXCEPTION 'refused by the test trigger'; END IF; RETURN NEW; END $$",
            [refused_name],
        )
        cursor.execute(
            "CREATE TRIGGER pb_test_refuse BEFORE INSERT ON enterprises_enterprise "
            "FOR EACH ROW EXECUTE FUNCTION pb_test_refuse()"
        )
    before = Enterprise.objects.count()
    rows = [ENTERPRISE_HEADER, enterprise_row(1), enterprise_row(2)]
    result = run_import("enterprises", xlsx(rows), user=users["staff"])
    assert [error["row"] for error in result.errors] == [2]
    assert result.errors[0]["message"].startswith("写入数据库失败（第 2 行起的一批数据）："), result.errors
    assert not result.imported and Enterprise.objects.count() == before
    workbook = write_workbook(tmp_path / "book.xlsx", {
        "企业": rows, "区域党员总量": [["区域代码", "年度", "党员总数", "当年发展党员数"], ["320506101", 2003, 10, 1]]})
    result = run_import("workbook", str(workbook), user=users["staff"])
    assert [(error["sheet"], error["row"]) for error in result.errors] == [("企业", 2)]
    assert not result.imported and Enterprise.objects.count() == before
