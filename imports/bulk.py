"""Fast bulk inserts with history rows, for city-scale imports.

Django's ``bulk_create`` compiles every value of every row through the ORM (most of the time of
a 289,513-row import went there), and on SQLite it sends 40 rows per statement. Here each batch
is one multi-row ``INSERT ... RETURNING id`` with values adapted once per column type, on
SQLite and PostgreSQL alike; the historical rows (simple_history's ``+`` records, with the
importing user as ``history_user``) are inserted the same way. Updates stay on
``bulk_update_with_history``: an import updates only the rows that changed.
"""

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


def _insert(model, fields, rows, returning):
    """Insert value tuples in multi-row statements; the new primary keys when ``returning``."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
    per_statement = max(1, min(BULK_BATCH, MAX_PARAMS // max(1, len(fields))))
    suffix = f" RETURNING {quote(model._meta.pk.column)}" if returning else ""
    new_ids = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            batch = rows[start : start + per_statement]
            sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES {', '.join([placeholder] * len(batch))}{suffix}"
            cursor.execute(sql, [value for row in batch for value in row])
            if returning:
                new_ids.extend(row[0] for row in cursor.fetchall())
    return new_ids


def _rows(objs, fields):
    """Value lists in ``fields`` order, dates and datetimes adapted for the driver."""
    getter = operator.attrgetter(*(field.attname for field in fields))
    adapters = [(index, adapt) for index, adapt in enumerate(_adapter(field) for field in fields) if adapt]
    rows = []
    for obj in objs:
        row = list(getter(obj)) if len(fields) > 1 else [getter(obj)]
        for index, adapt in adapters:
            if row[index] is not None:
                row[index] = adapt(row[index])
        rows.append(row)
    return rows


def create_with_history(objs, model, ctx):
    """Insert new ``objs`` (setting their pk) and one ``+`` history row each, naming ctx's user."""
    if not objs:
        return objs
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objs:
                if getattr(obj, field.attname) is None:
                    setattr(obj, field.attname, ctx.now)
    rows = _rows(objs, fields)
    ids = _insert(model, fields, rows, returning=True)
    for obj, pk in zip(objs, ids):
        obj.pk = pk
        obj._state.adding = False
    history = getattr(model, "history", None)
    if history is not None:
        _insert_history(model, history.model, fields, rows, ids, ctx)
    return objs


def _insert_history(model, history_model, fields, rows, ids, ctx):
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
    _insert(history_model, history_fields, history_rows, returning=False)


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

