"""Fast bulk inserts with history rows, for city-scale imports.

Django's ``bulk_create`` compiles every value of every row through the ORM (most of the time of
a 289,513-row import went there), and on SQLite it sends 40 rows per statement. Here the rows
are value lists adapted once per column type:

- PostgreSQL: the new primary keys are taken from the table's sequence in one query, and the
  rows and their history rows are sent with ``COPY … FROM STDIN`` (CSV), the bulk path the
  server parses fastest;
- SQLite: one multi-row ``INSERT … RETURNING id`` per batch, sent on the driver's own cursor
  with ``?`` placeholders (Django's wrapper would rewrite every ``%s`` of a 12,000-parameter
  statement with a regular expression).

The historical rows (simple_history's ``+`` records, with the importing user as
``history_user``) copy the values just inserted. Updates stay on ``bulk_update_with_history``:
an import updates only the rows that changed.
"""

import concurrent.futures
import io
import operator

from django.db import connection, models
from simple_history.utils import bulk_update_with_history

BULK_BATCH = 500
MAX_PARAMS = 30_000  # below SQLite's default SQLITE_MAX_VARIABLE_NUMBER (32,766)


def _adapter(field):
    """A function turning a Python value into what the database driver takes, for one field."""
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        # An import stamps every row with the same instant: adapt each distinct value once.
        cache = {}

        def adapt_datetime(value):
            if value not in cache:
                cache[value] = ops.adapt_datetimefield_value(value)
            return cache[value]

        return adapt_datetime
    if isinstance(field, models.DateField):
        if connection.vendor == "sqlite":
            return lambda value: None if value is None else value.isoformat()
        return None
    if isinstance(field, models.JSONField):
        return lambda value: field.get_db_prep_save(value, connection)
    return None


def _csv_value(value):
    """One field of PostgreSQL's CSV COPY format: NULL is an empty unquoted field."""
    if value is None:
        return ""
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return '"' + value.replace('"', '""') + '"'
    return str(value)


def _copy(cursor, table, columns, rows, queue=None):
    """COPY value lists into ``table`` (PostgreSQL); sent from ``queue``'s thread when given."""
    buffer = io.StringIO()
    write = buffer.write
    for row in rows:
        write(",".join(map(_csv_value, row)))
        write("\n")
    size = buffer.tell() + 1  # read in one piece: in the queue's thread each read needs the GIL
    buffer.seek(0)
    sql = f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)"
    if queue is None:
        with connection.wrap_database_errors:  # psycopg2's errors as Django's (IntegrityError, DataError…)
            cursor.cursor.copy_expert(sql, buffer, size)
    else:
        queue.submit(sql, buffer, size)


class CopyQueue:
    """COPYs sent by one helper thread, so that PostgreSQL inserts a chunk while Python parses the next.

    psycopg2 releases the GIL while the server works and serialises the use of a connection, so
    the order of statements is kept; ``wait()`` must be called before anything that ends the
    transaction or a savepoint (the engine calls it before each chunk and at the end of a
    sheet) and raises the first COPY's error.
    """

    def __init__(self):
        self._executor = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="copy")
        self._pending = []
        self.first_rows = []  # the first Excel row of each chunk sent (for the error message)

    def submit(self, sql, buffer, size):
        raw = connection.connection  # the psycopg2 connection of this thread's Django connection
        errors_as_django = connection.wrap_database_errors  # taken here: connections are per thread

        def run():
            with errors_as_django, raw.cursor() as cursor:
                cursor.copy_expert(sql, buffer, size)

        self._pending.append(self._executor.submit(run))

    def wait(self):
        pending, self._pending = self._pending, []
        error = None
        for future in pending:
            try:
                future.result()
            except Exception as exc:  # noqa: BLE001 - the first error is raised once all have ended
                error = error or exc
        if error is not None:
            raise error

    def close(self):
        try:
            self.wait()
        finally:
            self._executor.shutdown()


def _insert(model, fields, rows, returning, queue=None):
    """Insert value lists; the new primary keys when ``returning`` (PostgreSQL: COPY, via ``queue``)."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(field.column) for field in fields)
    if not rows:
        return []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            new_ids = []
            if returning:
                pk = model._meta.pk.column
                cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                               [model._meta.db_table, pk, len(rows)])
                new_ids = [row[0] for row in cursor.fetchall()]
                rows = [[pk_value, *row] for pk_value, row in zip(new_ids, rows)]
                columns = f"{quote(pk)}, {columns}"
            _copy(cursor, table, columns, rows, queue)
        return new_ids
    per_statement = max(1, min(BULK_BATCH, MAX_PARAMS // max(1, len(fields))))
    suffix = f" RETURNING {quote(model._meta.pk.column)}" if returning else ""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        cursor, mark = connection.connection.cursor(), "?"  # the driver's cursor: no %s rewriting
    else:
        cursor, mark = connection.cursor(), "%s"
    placeholder = "(" + ", ".join([mark] * len(fields)) + ")"
    new_ids = []
    try:
        for start in range(0, len(rows), per_statement):
            batch = rows[start : start + per_statement]
            sql = f"INSERT INTO {table} ({columns}) VALUES {', '.join([placeholder] * len(batch))}{suffix}"
            cursor.execute(sql, [value for row in batch for value in row])
            if returning:
                new_ids.extend(row[0] for row in cursor.fetchall())
    finally:
        cursor.close()
    return new_ids


def _adapt(rows, fields):
    """Adapt dates and datetimes of value lists (in ``fields`` order) for the driver, in place."""
    adapters = [(index, adapt) for index, adapt in enumerate(_adapter(field) for field in fields) if adapt]
    if adapters:
        for row in rows:
            for index, adapt in adapters:
                if row[index] is not None:
                    row[index] = adapt(row[index])
    return rows


def _rows(objs, fields):
    """Value lists in ``fields`` order, dates and datetimes adapted for the driver."""
    getter = operator.attrgetter(*(field.attname for field in fields))
    if len(fields) > 1:
        rows = [list(getter(obj)) for obj in objs]
    else:
        rows = [[getter(obj)] for obj in objs]
    return _adapt(rows, fields)


def _insert_fields(model):
    return [field for field in model._meta.concrete_fields if not field.primary_key]


def create_with_history(objs, model, ctx):
    """Insert new ``objs`` (setting their pk) and one ``+`` history row each, naming ctx's user."""
    if not objs:
        return objs
    fields = _insert_fields(model)
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objs:
                if getattr(obj, field.attname) is None:
                    setattr(obj, field.attname, ctx.now)
    ids = _insert_with_history(model, fields, _rows(objs, fields), ctx)
    for obj, pk in zip(objs, ids):
        obj.pk = pk
        obj._state.adding = False
    return objs


def create_values_with_history(values, model, ctx, queue=None):
    """Insert new rows given as {attname: value} (model defaults for the rest) with history rows.

    The same rows as ``create_with_history`` without building model instances; returns the new
    primary keys in order. With a CopyQueue (PostgreSQL) the rows are sent in the background.
    """
    if not values:
        return []
    fields = _insert_fields(model)
    defaults = [ctx.now if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
                else field.get_default() for field in fields]
    position = {field.attname: index for index, field in enumerate(fields)}
    rows = []
    for fields_of_row in values:
        row = defaults.copy()
        for name, value in fields_of_row.items():
            row[position[name]] = value
        rows.append(row)
    return _insert_with_history(model, fields, _adapt(rows, fields), ctx, queue)


def _insert_with_history(model, fields, rows, ctx, queue=None):
    ids = _insert(model, fields, rows, returning=True, queue=queue)
    history = getattr(model, "history", None)
    if history is not None:
        _insert_history(model, history.model, fields, rows, ids, ctx, queue)
    return ids


def _insert_history(model, history_model, fields, rows, ids, ctx, queue=None):
    """simple_history ``+`` rows built from the rows just inserted (same values, plus the stamp)."""
    history_fields = [field for field in history_model._meta.concrete_fields if not field.primary_key]
    position = {field.attname: index for index, field in enumerate(fields)}
    stamp_row = _rows([_Stamp(ctx)], [field for field in history_fields if field.attname in _Stamp.ATTNAMES])[0]
    stamp = dict(zip([field.attname for field in history_fields if field.attname in _Stamp.ATTNAMES], stamp_row))
    pk_attname = model._meta.pk.attname
    plan = []
    for field in history_fields:
        if field.attname == pk_attname:
            plan.append(("pk", None))
        elif field.attname in position:
            plan.append(("row", position[field.attname]))
        else:
            plan.append(("stamp", stamp.get(field.attname)))
    history_rows = []
    for row, pk in zip(rows, ids):
        history_rows.append([pk if source == "pk" else row[value] if source == "row" else value for source, value in plan])
    _insert(history_model, history_fields, history_rows, returning=False, queue=queue)


class _Stamp:
    """The history columns that are the same for every row of one import."""

    ATTNAMES = ("history_date", "history_type", "history_user_id", "history_change_reason")

    def __init__(self, ctx):
        self.history_date = ctx.now
        self.history_type = "+"
        self.history_user_id = ctx.user.pk if ctx.user is not None else None
        self.history_change_reason = None


def update_with_history(objs, model, fields, ctx):
    if objs:
        bulk_update_with_history(objs, model, fields=sorted(fields), batch_size=BULK_BATCH,
                                 default_user=ctx.history_user, default_date=ctx.now)
