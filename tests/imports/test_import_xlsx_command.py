"""The import_xlsx management command: JSON output keys and exit codes."""

import json

import pytest
from django.core.management import call_command

from enterprises.models import Enterprise

from .conftest import ENTERPRISE_HEADER, enterprise_row

KEYS = {"kind", "rows", "created", "updated", "unchanged", "skipped_blank", "dry_run", "unknown_columns", "errors"}


def run(capsys, *args):
    code = 0
    try:
        call_command("import_xlsx", *args)
    except SystemExit as exit_:
        code = exit_.code
    return code, capsys.readouterr().out


def test_it_prints_one_json_object_and_exits_0_when_imported(users, xlsx, capsys):
    """--json prints exactly the keys of import-formats.md; exit status 0."""
    code, out = run(capsys, "enterprises", xlsx([ENTERPRISE_HEADER, enterprise_row(1)]), "--json")
    data = json.loads(out)
    assert code == 0
    assert set(data) == KEYS
    assert (data["kind"], data["created"], data["dry_run"], data["errors"]) == ("enterprises", 1, False, [])


def test_it_exits_1_with_row_errors_when_refused(users, xlsx, capsys):
    """A refused import exits 1 and lists {row, column, message}; nothing is written."""
    rows = [ENTERPRISE_HEADER, enterprise_row(1), enterprise_row(1)]
    code, out = run(capsys, "enterprises", xlsx(rows), "--json")
    data = json.loads(out)
    assert code == 1
    assert data["errors"][0]["row"] == 3 and set(data["errors"][0]) == {"row", "column", "message"}
    assert not Enterprise.objects.filter(credit_code=enterprise_row(1)[1]).exists()


def test_it_scopes_to_the_named_user(users, xlsx, capsys):
    """--user limits the scope: town A's staff cannot import into town B."""
    code, out = run(capsys, "enterprises", xlsx([ENTERPRISE_HEADER, enterprise_row(1, region="320506102")]),
                    "--json", "--user", "staff_a")
    assert code == 1
    assert "不在您的管辖范围内" in json.loads(out)["errors"][0]["message"]


def test_it_runs_with_full_scope_without_user(users, xlsx, capsys):
    """Without --user any region is allowed."""
    code, _out = run(capsys, "enterprises", xlsx([ENTERPRISE_HEADER, enterprise_row(1, region="320506102")]))
    assert code == 0


def test_it_writes_nothing_on_a_dry_run(users, xlsx, capsys):
    """--dry-run reports counts, exits 0, writes nothing."""
    code, out = run(capsys, "enterprises", xlsx([ENTERPRISE_HEADER, enterprise_row(1)]), "--dry-run", "--json")
    assert code == 0 and json.loads(out)["dry_run"] is True and json.loads(out)["created"] == 1
    assert not Enterprise.objects.filter(credit_code=enterprise_row(1)[1]).exists()


@pytest.mark.parametrize("flag", [[], ["--json"]])
def test_it_refuses_a_missing_file(users, tmp_path, capsys, flag):
    """A path that does not exist is refused with exit 1."""
    code, _out = run(capsys, "enterprises", str(tmp_path / "none.xlsx"), *flag)
    assert code == 1
