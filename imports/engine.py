"""The import engine: one code path for every kind, every reader, the web, the shell and the worker.

A run reads a sheet row by row, finds the header among the first 10 rows, parses each cell
with the column's parser (imports.normalize), hands rows to the kind in chunks, and the kind
validates them against the database (existing keys prefetched per chunk) and writes them with
bulk upserts plus bulk history rows. Everything happens inside one transaction that is rolled
back when any row has an error or when the run is a dry run, so a dry run counts exactly what
the real import would do and a refused import writes nothing.
"""

import contextlib
import dataclasses

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, reset_queries, transaction
from django.utils import timezone

from partybuild.scoping import role_can

from .bulk import CopyQueue, create_values_with_history, create_with_history, update_with_history
from .normalize import ValueProblem, is_blank, normalize_header, split_multi, to_code, to_text
from .readers import FileProblem, column_letter, open_sheets

HEADER_SCAN_ROWS = 10
DEFAULT_CHUNK = 2000
MEMO_LIMIT = 20_000
FORMULA_MESSAGE = "单元格含有公式，请复制后“粘贴为数值”再导入"


_MISSING = object()


class ImportStopped(Exception):
    """The database refused a write: the run ends here (its error is already in the result)."""


def _write_failed(result, first_row, error, sheet):
    """The database refused the chunk starting at ``first_row`` (in the request or in the background)."""
    result.error(first_row, "", f"写入数据库失败（第 {first_row} 行起的一批数据）：{error}", sheet)


class RowProblem(Exception):
    """A problem in one cell of one row: (column header, Chinese message)."""

    def __init__(self, column, message):
        super().__init__(message)
        self.column = column
        self.message = message


# ---- columns ---------------------------------------------------------------------------------


@dataclasses.dataclass
class Column:
    header: str
    key: str
    parse: object = to_text
    aliases: tuple = ()
    required: bool = False
    max_length: int | None = None
    choices: tuple = ()  # labels offered as a drop-down in the template
    example: object = ""

    def __post_init__(self):
        self._memo = {}

    def read(self, raw):
        # Registries repeat the same words and dates on thousands of rows: parse each once.
        try:
            value = self._memo.get(raw, _MISSING)
        except TypeError:
            value = _MISSING
        if value is not _MISSING:
            return value
        value = self.parse(raw)
        if self.max_length and isinstance(value, str) and len(value) > self.max_length:
            raise ValueProblem(f"内容过长（最多 {self.max_length} 个字符）")
        if len(self._memo) > MEMO_LIMIT:
            self._memo.clear()
        if not isinstance(value, list):
            try:
                self._memo[raw] = value
            except TypeError:
                pass
        return value


def choice_parser(mapping, what):
    """A parser accepting the labels (and synonyms) in ``mapping``: label → value."""
    normalized = {normalize_header(label): value for label, value in mapping.items()}

    def parse(raw):
        if is_blank(raw):
            return None
        text = normalize_header(to_text(raw))
        if text in normalized:
            return normalized[text]
        offered = "、".join(dict.fromkeys(label for label in mapping))
        raise ValueProblem(f"{what}“{to_text(raw)}”无法识别，可填：{offered}")

    return parse


def multi_code_parser(raw):
    return [to_code(part) for part in split_multi(raw)]


# ---- results ---------------------------------------------------------------------------------


@dataclasses.dataclass
class ImportResult:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped_blank: int = 0
    dry_run: bool = False
    unknown_columns: list = dataclasses.field(default_factory=list)
    errors: list = dataclasses.field(default_factory=list)
    sheets: list | None = None
    imported: bool = False

    def error(self, row, column, message, sheet=None):
        entry = {"row": row, "column": column or "", "message": message}
        if sheet:
            entry["sheet"] = sheet
        self.errors.append(entry)

    @property
    def ok(self):
        return not self.errors

    def as_dict(self):
        data = {
            "kind": self.kind,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped_blank": self.skipped_blank,
            "dry_run": self.dry_run,
            "unknown_columns": list(self.unknown_columns),
            "errors": list(self.errors),
        }
        if self.sheets is not None:
            data["sheets"] = self.sheets
        return data


@dataclasses.dataclass
class Row:
    number: int
    values: dict
    raw: list | None = None


# ---- context ---------------------------------------------------------------------------------


class Context:
    """What a run knows: who imports (None = full scope), today, and the regions in scope."""

    def __init__(self, user=None, dry_run=False, today=None):
        self.user = user
        self.dry_run = dry_run
        self.today = today or timezone.localdate()
        self.now = timezone.now()
        self._regions = None
        self._region_memo = {}
        self.present = set()  # keys of the columns present in the current sheet
        self.memo = {}  # per-run memos of the kinds
        self.copy_queue = None  # a bulk.CopyQueue while a sheet writes new rows in the background
        self.stopped = False  # the database refused a write: the run ends

    def scoped(self, model):
        manager = model.objects
        if self.user is None:
            return manager.all()
        return manager.for_user(self.user)

    @property
    def history_user(self):
        return self.user

    def _load_regions(self):
        from regions.models import Region

        by_code, by_name = {}, {}
        for region_id, code, name, path in self.scoped(Region).values_list("pk", "code", "name", "path"):
            by_code[code.upper()] = (region_id, path)
            by_name.setdefault(name, []).append(region_id)
        self._regions = (by_code, by_name)

    def reset_regions(self):
        self._regions = None
        self._region_memo = {}

    def region_id(self, value):
        """The id of the region named by a code or a name unique in scope (ValueProblem otherwise)."""
        if self._regions is None:
            self._load_regions()
        by_code, by_name = self._regions
        if value in self._region_memo:
            return self._region_memo[value]
        self._region_memo[value] = region_id = self._region_id(value, by_code, by_name)
        return region_id

    def _region_id(self, value, by_code, by_name):
        from regions.models import Region

        code = to_code(value)
        if code in by_code:
            return by_code[code][0]
        name = to_text(value)
        ids = by_name.get(name, [])
        if len(ids) == 1:
            return ids[0]
        if len(ids) > 1:
            raise ValueProblem(f"区域名称“{name}”不唯一，请填写区域代码")
        if Region.objects.filter(code=code).exists() or Region.objects.filter(name=name).exists():
            raise ValueProblem(f"区域“{name}”不在您的管辖范围内")
        raise ValueProblem(f"区域“{name}”不存在")


# ---- kinds -----------------------------------------------------------------------------------


class ImportKind:
    """One kind of import (a sheet type). Subclasses in each app's resources.py."""

    name = ""
    label = ""
    sheet_name = ""
    model = None
    columns: list = []
    chunk_size = DEFAULT_CHUNK

    def key(self, values):
        """The natural key of a parsed row (None when it cannot be built)."""
        raise NotImplementedError

    def describe_key(self, values):
        return "、".join(str(part) for part in self.key_tuple(values))

    def key_tuple(self, values):
        key = self.key(values)
        return key if isinstance(key, tuple) else (key,)

    def key_column(self):
        return next(column.header for column in self.columns if column.required)

    def prepare(self, ctx):
        """Called once before the first chunk."""

    def process_chunk(self, ctx, rows, result, sheet=None):
        """Validate ``rows`` against the database and write the valid ones; count them in result."""
        raise NotImplementedError

    def finish(self, ctx, result, sheet=None):
        """Called after the last chunk (cross-row checks)."""

    # Export: the import format, so export → import is a no-op.
    def export_queryset(self, user):
        raise NotImplementedError

    def export_rows(self, queryset, user):
        raise NotImplementedError

    @property
    def headers(self):
        return [column.header for column in self.columns]

    def header_map(self):
        mapping = {}
        for column in self.columns:
            for name in (column.header, *column.aliases):
                mapping.setdefault(normalize_header(name), column)
        return mapping


@contextlib.contextmanager
def index_lookups():
    """Key lookups of one chunk use the unique index, whatever PostgreSQL's statistics say.

    A table that has just received 300,000 rows in this transaction (or before autovacuum has
    analysed it) still looks empty to the planner, which then scans it whole for each chunk of
    2,000 keys: 70 ms a chunk instead of 2 ms.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('enable_seqscan'), set_config('enable_seqscan', 'off', true)")
        previous = cursor.fetchone()[0]
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('enable_seqscan', %s, true)", [previous])


class _Values:
    """Attribute access to a row's values, for running a model's clean() without an instance."""

    __slots__ = ("_values",)

    def __init__(self, values):
        self._values = values

    def __getattr__(self, name):
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None


class Existing:
    """An unchanged existing row on the light path (or a new one, values-only): only its pk is known."""

    __slots__ = ("pk",)

    def __init__(self, pk):
        self.pk = pk


def _pk(current):
    return current["pk"] if isinstance(current, dict) else current.pk


class ModelKind(ImportKind):
    """A kind upserting one model by a natural key, with bulk writes and bulk history rows.

    Subclasses give ``lookup`` (existing rows by key for a chunk, unscoped so that a key held
    outside the importer's scope is reported), ``row_fields`` (attname → value for one row;
    raise RowProblem for a bad cell) and optionally ``write_children``.
    """

    field_headers: dict = {}
    touch_field = None  # an auto_now field to refresh on update
    key_field = None
    compare_fields = None  # set → the light path (see process_chunk)
    # Set (on the light path) → new rows are validated by clean_new_values and written from their
    # values: no model instance at all (write_children then gets objects with the pk only).
    clean_attributes = None

    def lookup(self, ctx, keys):
        raise NotImplementedError

    def row_fields(self, ctx, row, existing):
        raise NotImplementedError

    def in_scope_ids(self, ctx, ids):
        if ctx.user is None or not ids:
            return set(ids)
        with index_lookups():
            return set(ctx.scoped(self.model).filter(pk__in=ids).values_list("pk", flat=True))

    def outside_scope_message(self, obj):
        return f"“{obj}”已存在于您的管辖范围以外，不能修改"

    def clean_instance(self, obj):
        obj.clean()

    def clean_new_values(self, ctx, fields):
        """The model's own ``clean()`` on a new row's values, without an instance (None or ValidationError).

        Used when ``clean_attributes`` names every attribute ``clean()`` reads (a test checks
        it): the outcome depends on those values only, so it is computed once per distinct
        combination in a run — a city registry has a few thousand, not 300,000.
        """
        defaults = self._defaults()
        key = tuple(fields.get(name, defaults.get(name)) for name in self.clean_attributes)
        memo = ctx.memo.setdefault(("clean", self.name), {})
        if key not in memo:
            view = _Values(dict(defaults, **fields))
            try:
                self.model.clean(view)
                memo[key] = None
            except ValidationError as error:
                memo[key] = error
        return memo[key]

    def _defaults(self):
        defaults = self.__dict__.get("_default_values")
        if defaults is None:
            defaults = self._default_values = {
                field.attname: field.get_default() for field in self.model._meta.concrete_fields if not field.primary_key
            }
        return defaults

    def validation_errors(self, error):
        if hasattr(error, "message_dict"):
            for field, messages in error.message_dict.items():
                header = self.field_headers.get(field, "")
                for message in messages:
                    yield header, message
        else:
            for message in error.messages:
                yield "", message

    def lookup_values(self, ctx, keys):
        """key → {"pk": …, attname: value, …} over ``compare_fields`` (the light path)."""
        key_field = self.key_field
        queryset = self.model.objects.filter(**{f"{key_field}__in": keys})
        with index_lookups():
            return {values[key_field]: values for values in queryset.values("pk", *self.compare_fields)}

    def process_chunk(self, ctx, rows, result, sheet=None):
        # Kinds with ``compare_fields`` read existing rows as plain values and build model
        # instances only for new and changed rows: a re-import of an unchanged city registry
        # never instantiates a model.
        self.wait_for_writes(ctx, result, sheet)
        light = self.compare_fields is not None
        keys = [self.key(row.values) for row in rows]
        existing = self.lookup_values(ctx, keys) if light else self.lookup(ctx, keys)
        allowed = self.in_scope_ids(ctx, [_pk(current) for current in existing.values()])
        planned = []
        for row, key in zip(rows, keys):
            current = existing.get(key)
            if current is not None and _pk(current) not in allowed:
                result.error(row.number, self.key_column(), self.outside_scope_message(current), sheet)
                continue
            try:
                fields = self.row_fields(ctx, row, current)
            except RowProblem as problem:
                result.error(row.number, problem.column, problem.message, sheet)
                continue
            if current is None:
                changed = list(fields)
            elif light:
                changed = [name for name, value in fields.items() if current[name] != value]
            else:
                changed = [name for name, value in fields.items() if getattr(current, name) != value]
            planned.append((row, current, fields, changed))
        instances = {}
        if light:
            changed_pks = [current["pk"] for _row, current, _fields, changed in planned if current and changed]
            instances = self.model.objects.in_bulk(changed_pks) if changed_pks else {}
        to_create, to_update, update_fields, accepted = [], [], set(), []
        values_only = light and self.clean_attributes is not None
        for row, current, fields, changed in planned:
            if current is None and values_only:
                error = self.clean_new_values(ctx, fields)
                if error is not None:
                    for header, message in self.validation_errors(error):
                        result.error(row.number, header, message, sheet)
                    continue
                obj = Existing(None)
                to_create.append((obj, fields))
                accepted.append((row, obj, True, True))
                continue
            if current is None:
                obj = self.new_instance(fields)
            elif light and not changed:
                accepted.append((row, Existing(current["pk"]), False, False))
                continue
            else:
                obj = instances[current["pk"]] if light else current
                for name in changed:
                    setattr(obj, name, fields[name])
                self.on_change(ctx, obj, changed)
            try:
                self.clean_instance(obj)
            except ValidationError as error:
                for header, message in self.validation_errors(error):
                    result.error(row.number, header, message, sheet)
                continue
            if current is None:
                to_create.append(obj)
            elif changed:
                to_update.append(obj)
                update_fields.update(changed)
            accepted.append((row, obj, current is None, bool(changed)))
        if not accepted:
            return
        queue = ctx.copy_queue
        if queue is not None and not to_update:
            # New rows only, sent in the background: a failed COPY is reported by wait_for_writes
            # before the next chunk (the whole run is then refused and rolled back).
            self.write(ctx, to_create, to_update, update_fields, queue)
            queue.first_rows.append(rows[0].number)
            child_changed = set()
        else:
            self.wait_for_writes(ctx, result, sheet)
            try:
                with transaction.atomic():
                    self.write(ctx, to_create, to_update, update_fields)
                    child_changed = self.write_children(ctx, accepted, result, sheet) or set()
            except (IntegrityError, DatabaseError) as error:
                _write_failed(result, rows[0].number, error, sheet)
                return
        for row, _obj, created, changed in accepted:
            if created:
                result.created += 1
            elif changed or row.number in child_changed:
                result.updated += 1
            else:
                result.unchanged += 1

    def new_instance(self, fields):
        """A new model instance: the positional constructor (defaults filled once) is the fast one."""
        template = getattr(self, "_template", None)
        if template is None:
            concrete = self.model._meta.concrete_fields
            template = self._template = (
                [None if field.primary_key else field.get_default() for field in concrete],
                {field.attname: index for index, field in enumerate(concrete)},
            )
        values, index = template[0].copy(), template[1]
        for name, value in fields.items():
            values[index[name]] = value
        return self.model(*values)

    def on_change(self, ctx, obj, changed):
        if self.touch_field and changed:
            setattr(obj, self.touch_field, ctx.now)
            changed.append(self.touch_field)

    def wait_for_writes(self, ctx, result, sheet=None):
        """Wait for the chunks being written in the background (PostgreSQL); stop the run on an error."""
        queue = ctx.copy_queue
        if queue is None:
            return
        try:
            queue.wait()
        except (IntegrityError, DatabaseError) as error:
            first = queue.first_rows[0] if queue.first_rows else 0
            _write_failed(result, first, error, sheet)
            raise ImportStopped from error
        finally:
            queue.first_rows.clear()

    @property
    def writes_in_background(self):
        """New rows can be sent in the background: values-only rows, no dependent rows to write."""
        return self.compare_fields is not None and self.clean_attributes is not None and (
            type(self).write_children is ModelKind.write_children)

    def write(self, ctx, to_create, to_update, update_fields, queue=None):
        if to_create and isinstance(to_create[0], tuple):  # (Existing, values) of the values-only path
            ids = create_values_with_history([fields for _obj, fields in to_create], self.model, ctx, queue)
            for (obj, _fields), pk in zip(to_create, ids):
                obj.pk = pk
        else:
            create_with_history(to_create, self.model, ctx)
        update_with_history(to_update, self.model, update_fields, ctx)

    def write_children(self, ctx, accepted, result, sheet):
        """Write dependent rows; return the row numbers whose children changed."""
        return set()


# ---- the run ---------------------------------------------------------------------------------


def find_header(kind, first_rows):
    """(index into first_rows, {column index: Column}, unknown headers) or None."""
    mapping = kind.header_map()
    best = None
    for index, (_number, values) in enumerate(first_rows):
        matched = {}
        for position, cell in enumerate(values):
            column = mapping.get(normalize_header(cell)) if not is_blank(cell) else None
            if column and column not in matched.values():
                matched[position] = column
        if matched and (best is None or len(matched) > len(best[1])):
            best = (index, matched)
    if best is None:
        return None
    index, matched = best
    required = [column for column in kind.columns if column.required]
    if len(matched) < 2 and len(required) > 1:
        return None
    values = first_rows[index][1]
    unknown = [
        to_text(cell) for position, cell in enumerate(values) if not is_blank(cell) and position not in matched
    ]
    return index, matched, unknown


def import_sheet(kind, sheet, ctx, result, progress=None, sheet_label=None):
    """Import one sheet of ``kind`` into the open transaction; problems go to ``result``."""
    rows_iter = iter(sheet.rows())
    first_rows = []
    for item in rows_iter:
        first_rows.append(item)
        if len(first_rows) >= HEADER_SCAN_ROWS:
            break
    if not any(not all(is_blank(cell) for cell in values) for _n, values in first_rows):
        result.error(1, "", "工作表为空，没有可导入的数据", sheet_label)
        return
    found = find_header(kind, first_rows)
    if found is None:
        expected = "、".join(column.header for column in kind.columns if column.required)
        result.error(1, "", f"未找到表头：前 {HEADER_SCAN_ROWS} 行中没有可识别的列名（应包含 {expected}）", sheet_label)
        return
    header_index, matched, unknown = found
    header_number = first_rows[header_index][0]
    result.unknown_columns.extend(name for name in unknown if name not in result.unknown_columns)
    present = {column.key for column in matched.values()}
    missing = [column.header for column in kind.columns if column.required and column.key not in present]
    for header in missing:
        result.error(header_number, header, f"缺少必填列“{header}”", sheet_label)
    if missing:
        return
    ctx.present = present
    kind.prepare(ctx)
    if connection.vendor == "postgresql" and getattr(kind, "writes_in_background", False):
        ctx.copy_queue = CopyQueue()
    try:
        done = _import_rows(kind, ctx, result, progress, sheet_label, first_rows, header_index, rows_iter, matched)
    except ImportStopped:
        ctx.stopped = True  # the transaction is aborted: nothing more can be read or written
        return
    finally:
        queue, ctx.copy_queue = ctx.copy_queue, None
        if queue is not None:
            try:
                queue.close()
            except (IntegrityError, DatabaseError):
                pass  # already reported by wait_for_writes, or an exception is on its way
    # After the rows: the .xlsx reader notes formula cells on its pass (errors are sorted by row).
    for row_number, column_position in sheet.formula_cells():
        if row_number > header_number:
            column = matched.get(column_position)
            header = column.header if column else column_letter(column_position)
            result.error(row_number, header, FORMULA_MESSAGE, sheet_label)
    if progress:
        progress(done)


def _import_rows(kind, ctx, result, progress, sheet_label, first_rows, header_index, rows_iter, matched):
    """Parse and check every data row, handing them to the kind in chunks."""
    seen = {}
    chunk = []
    done = 0
    remaining = first_rows[header_index + 1 :]

    def all_rows():
        yield from remaining
        yield from rows_iter

    plan = [(position, column, column.key, column.required, column.read) for position, column in matched.items()]
    for number, raw in all_rows():
        if all(is_blank(cell) for cell in raw):
            result.skipped_blank += 1
            continue
        result.rows += 1
        values = {}
        bad = False
        width = len(raw)
        for position, column, key, required, read in plan:
            cell = raw[position] if position < width else None
            if required and is_blank(cell):
                result.error(number, column.header, f"“{column.header}”不能为空", sheet_label)
                bad = True
                continue
            try:
                values[key] = read(cell)
            except ValueProblem as problem:
                result.error(number, column.header, str(problem), sheet_label)
                bad = True
        if bad:
            continue
        key = kind.key(values)
        if key in seen:
            result.error(
                number,
                kind.key_column(),
                f"与第 {seen[key]} 行重复（{kind.describe_key(values)}）",
                sheet_label,
            )
            continue
        seen[key] = number
        chunk.append(Row(number, values))
        if len(chunk) >= kind.chunk_size:
            kind.process_chunk(ctx, chunk, result, sheet_label)
            done += len(chunk)
            chunk = []
            reset_queries()  # with DEBUG on, the query log would otherwise hold every batch's SQL
            if progress:
                progress(done)
    if chunk:
        kind.process_chunk(ctx, chunk, result, sheet_label)
        done += len(chunk)
    if hasattr(kind, "wait_for_writes"):
        kind.wait_for_writes(ctx, result, sheet_label)
    kind.finish(ctx, result, sheet_label)
    return done


def _refuse_role(kind, ctx, result):
    if ctx.user is not None and not role_can(ctx.user, "import", kind.model):
        result.error(0, "", f"您的角色无权导入{kind.label}")
        return True
    return False


def _sort_errors(result):
    result.errors.sort(key=lambda error: (error.get("sheet") or "", error["row"]))


def run_import(kind_name, path, *, filename=None, user=None, dry_run=False, progress=None, today=None):
    """Import a file of one kind (or ``workbook``); all or nothing. Returns an ImportResult."""
    from .kinds import get_kind, workbook_kinds

    result = ImportResult(kind=kind_name, dry_run=dry_run)
    ctx = Context(user=user, dry_run=dry_run, today=today)
    try:
        sheets = open_sheets(path, filename)
    except FileProblem as problem:
        result.error(0, "", problem.message)
        return result
    try:
        with transaction.atomic():
            if kind_name == "workbook":
                _run_workbook(sheets, ctx, result, progress, workbook_kinds())
            else:
                kind = get_kind(kind_name)
                if not _refuse_role(kind, ctx, result):
                    import_sheet(kind, sheets[0], ctx, result, progress)
            if result.errors or dry_run:
                transaction.set_rollback(True)
    except FileProblem as problem:
        result.error(0, "", problem.message)
    _sort_errors(result)
    result.imported = not result.errors and not dry_run
    return result


def _run_workbook(sheets, ctx, result, progress, kinds):
    by_name = {normalize_header(sheet.name): sheet for sheet in sheets}
    result.sheets = []
    known = set()
    offset = 0
    for kind in kinds:
        sheet = by_name.get(normalize_header(kind.sheet_name))
        if sheet is None or ctx.stopped:
            continue
        known.add(normalize_header(kind.sheet_name))
        part = ImportResult(kind=kind.name, dry_run=ctx.dry_run)
        if not _refuse_role(kind, ctx, part):

            def sheet_progress(done, base=offset):
                if progress:
                    progress(base + done)

            import_sheet(kind, sheet, ctx, part, sheet_progress, sheet_label=sheet.name)
            ctx.reset_regions()
        for error in part.errors:
            error.setdefault("sheet", sheet.name)
        offset += part.rows
        for field in ("rows", "created", "updated", "unchanged", "skipped_blank"):
            setattr(result, field, getattr(result, field) + getattr(part, field))
        result.errors.extend(part.errors)
        result.unknown_columns.extend(f"{sheet.name}:{name}" for name in part.unknown_columns)
        summary = part.as_dict()
        summary.pop("errors")
        summary["sheet"] = sheet.name
        summary["error_count"] = len(part.errors)
        result.sheets.append(summary)
    if not known:
        names = "、".join(kind.sheet_name for kind in kinds)
        result.error(0, "", f"工作簿中没有可识别的工作表（工作表应命名为：{names}）")

