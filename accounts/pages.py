"""Shared page machinery for the browser interface: scoped list/detail helpers.

Every page starts from ``Model.objects.for_user(request.user)`` (partybuild.scoping) and runs a
fixed number of SQL queries whatever the data size: lists fetch one page plus one row
(no COUNT of the whole table) and detail pages load what hangs off the object with
select_related / bounded slices.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import ForeignKey
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.decorators import method_decorator
from django.views.generic import TemplateView

from partybuild.scoping import get_scoped_object_or_404, require_role_can, role_can
from partybuild.validators import mask_id_number

PER_PAGE = 25
HISTORY_LIMIT = 20
HISTORY_TYPES = {"+": "新建", "~": "修改", "-": "删除"}
# Bookkeeping columns that change on every save and say nothing to a clerk.
HISTORY_SKIPPED_FIELDS = {"id", "created_at", "updated_at", "path", "depth", "organization_standalone"}
MASKED_FIELDS = {"id_number"}


def url_or_none(name, *args):
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


# ---------------------------------------------------------------------------------- paging


@dataclass
class Page:
    """One page of rows; ``has_next`` comes from fetching one row more than shown."""

    rows: list
    number: int
    has_previous: bool
    has_next: bool
    previous_url: str = ""
    next_url: str = ""


def query_string_without(request, *names):
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


def paginate(request, queryset, per_page=PER_PAGE):
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    offset = (number - 1) * per_page
    rows = list(queryset[offset : offset + per_page + 1])
    has_next = len(rows) > per_page
    base = query_string_without(request, "page")

    def page_url(n):
        return "?" + "&".join(part for part in (base, urlencode({"page": n})) if part)

    return Page(
        rows=rows[:per_page],
        number=number,
        has_previous=number > 1,
        has_next=has_next,
        previous_url=page_url(number - 1) if number > 1 else "",
        next_url=page_url(number + 1) if has_next else "",
    )


# ---------------------------------------------------------------------------------- breadcrumbs


def region_breadcrumbs(user, region, tail=()):
    """Crumbs from the root of the region tree down to ``region`` (one query), then ``tail``.

    A region links to its page only when the user may read it (staff/leader subtree, admin).
    """
    crumbs = []
    if region is not None:
        for node in [*region.ancestors(), region]:
            crumbs.append({"label": node.name, "url": _region_url(user, node)})
    crumbs.extend({"label": label, "url": url} for label, url in tail)
    return crumbs


def _region_url(user, region):
    if user.is_admin:
        return region.get_absolute_url()
    if role_can(user, "view", "regions.region") and user.region_id and region.is_within(user.region):
        return region.get_absolute_url()
    return None


# ---------------------------------------------------------------------------------- history


@dataclass
class HistoryRow:
    when: object
    who: str
    action: str
    changes: list = field(default_factory=list)


OUT_OF_SIGHT = "（不在您的管辖范围内或已删除）"


def _display(model_field, value, user, names):
    if value is None or value == "":
        return "（空）"
    if model_field.name in MASKED_FIELDS and not user.sees_full_id:
        return mask_id_number(value)
    if isinstance(model_field, ForeignKey):
        return names.get((model_field.related_model, value), OUT_OF_SIGHT)
    if model_field.choices:
        return dict(model_field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _tracked_fields(model):
    return [f for f in model._meta.concrete_fields if f.name not in HISTORY_SKIPPED_FIELDS and f.editable]


def history_rows(instance, user, limit=HISTORY_LIMIT):
    """Who changed what and when, newest first: a fixed number of queries.

    One query for the records (with their users), then one per related model to name
    foreign keys; consecutive records are compared in Python.
    """
    model = type(instance)
    records = list(instance.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    fields = _tracked_fields(model)
    names = {}
    fk_fields = [f for f in fields if isinstance(f, ForeignKey)]
    related = {}
    for fk in fk_fields:
        related.setdefault(fk.related_model, set()).update(getattr(r, fk.attname) for r in records)
    for related_model, ids in related.items():
        ids.discard(None)
        # Named only when the viewer may see the related record: a person moved from another
        # township's enterprise must not reveal that enterprise's name to this township.
        manager = related_model._default_manager
        visible = manager.for_user(user) if hasattr(manager, "for_user") else related_model._base_manager.all()
        for obj in visible.filter(pk__in=ids or [0]):
            names[(related_model, obj.pk)] = str(obj)
    rows = []
    for index, record in enumerate(records[:limit]):
        older = records[index + 1] if index + 1 < len(records) else None
        changes = []
        for model_field in fields:
            new = getattr(record, model_field.attname)
            old = getattr(older, model_field.attname) if older is not None else None
            if older is None and record.history_type != "+":
                continue
            if older is None and new in (None, "", False):
                continue
            if older is not None and old == new:
                continue
            changes.append(
                {
                    "label": model_field.verbose_name,
                    "old": _display(model_field, old, user, names) if older is not None else "",
                    "new": _display(model_field, new, user, names),
                }
            )
        who = record.history_user
        rows.append(
            HistoryRow(
                when=record.history_date,
                who=(str(who) if who else "系统"),
                action=HISTORY_TYPES.get(record.history_type, record.history_type),
                changes=changes,
            )
        )
    return rows


# ---------------------------------------------------------------------------------- forms


class StyledFormMixin:
    """Bootstrap classes on every widget; dates as native date pickers (phones)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for form_field in self.fields.values():
            if getattr(form_field, "scoped_by_user", False):
                form_field.user = getattr(self, "user", None)
            widget = form_field.widget
            if isinstance(widget, forms.DateInput):
                widget.input_type = "date"
                widget.format = "%Y-%m-%d"
            if isinstance(widget, (forms.CheckboxInput,)):
                css = "form-check-input"
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)) and not isinstance(widget, forms.CheckboxSelectMultiple):
                css = "form-select"
            elif isinstance(widget, forms.CheckboxSelectMultiple):
                css = ""
            else:
                css = "form-control"
            if css:
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class StyledForm(StyledFormMixin, forms.Form):
    """A plain form of a page; ``user`` (always passed by ScopedFormPage) is kept for scoping."""

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)


class ScopedModelForm(StyledFormMixin, forms.ModelForm):
    """A ModelForm whose related-object choices are limited to the user's scope.

    ModelForm validation calls the model's ``full_clean``, so the model's Chinese messages
    appear next to their fields.
    """

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        for form_field in self.fields.values():
            queryset = getattr(form_field, "queryset", None)
            if queryset is not None and hasattr(queryset, "for_user"):
                form_field.queryset = queryset.for_user(user)


# ---------------------------------------------------------------------------------- views


@method_decorator(login_required, name="dispatch")
class ScopedPage(TemplateView):
    """A signed-in page about objects of ``model`` in the user's scope."""

    model = None
    action = "view"
    # Pages about one object load it first: outside the scope answers 404 before any 403.
    loads_object = False
    object = None

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            if self.loads_object:
                self.object = self.get_object()
            require_role_can(request.user, self.action, self.model)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("object", self.object)
        return super().get_context_data(**kwargs)

    def scoped(self):
        return self.model.objects.for_user(self.request.user)

    def object_queryset(self):
        return self.scoped()

    def get_object(self):
        return get_scoped_object_or_404(self.object_queryset(), self.request.user, pk=self.kwargs["pk"])


class ScopedListPage(ScopedPage):
    """List with a django-filter FilterSet, sorting and cheap pagination."""

    filterset_class = None
    export_kind = None
    add_url_name = None
    title = ""

    def list_queryset(self):
        return self.scoped()

    def decorate_rows(self, rows):
        """Add figures to the shown rows only (a fixed number of queries over their ids)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        filterset = self.filterset_class(data=self.request.GET or None, queryset=self.list_queryset(), request=self.request)
        if not role_can(user, "view", "regions.region"):
            # Secretaries and instructors have no region tree to pick from.
            filterset.form.fields.pop("region", None)
        queryset = filterset.qs if filterset.is_bound else filterset.queryset
        if filterset.is_bound and not filterset.is_valid():
            queryset = queryset.none()
        page = paginate(self.request, queryset)
        self.decorate_rows(page.rows)
        query = query_string_without(self.request, "page")
        context.update(
            filter=filterset,
            page=page,
            rows=page.rows,
            title=self.title,
            can_add=role_can(user, "add", self.model),
            add_url=url_or_none(self.add_url_name) if self.add_url_name else None,
            export_url=(
                f"/imports/export/{self.export_kind}/?{query}"
                if self.export_kind and role_can(user, "export", self.model)
                else None
            ),
            import_url=(
                f"/imports/upload/?kind={self.export_kind}"
                if self.export_kind and role_can(user, "import", self.model)
                else None
            ),
        )
        return context


class ScopedFormPage(ScopedPage):
    """GET shows the form, POST validates it and calls ``save(form)``; ValidationError from a
    service lands next to the field (or on top of the form)."""

    form_class = None
    template_name = "includes/form_page.html"
    success_message = "已保存"
    title = ""
    submit_label = "保存"
    # Fields a link may prefill by primary key (e.g. ?enterprise=12 from the enterprise page).
    initial_from_query = ()

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def get_form(self):
        data = self.request.POST if self.request.method == "POST" else None
        files = self.request.FILES if self.request.method == "POST" else None
        form = self.form_class(data=data, files=files, **self.get_form_kwargs())
        if not form.is_bound:
            for name in self.initial_from_query:
                value = self.request.GET.get(name, "")
                if value.isdigit():
                    form.initial[name] = int(value)
        return form

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if form.is_valid():
            try:
                result = self.save(form)
            except ValidationError as error:
                add_validation_error(form, error)
            else:
                messages.success(request, self.success_message)
                return redirect(self.get_success_url(result))
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", None)
        kwargs.setdefault("title", self.title)
        kwargs.setdefault("submit_label", self.submit_label)
        context = super().get_context_data(**kwargs)
        if context["form"] is None:
            context["form"] = self.get_form()
        return context

    def save(self, form):  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def get_success_url(self, result):
        return result.get_absolute_url()


class ScopedCreatePage(ScopedFormPage):
    """Add one object through its ModelForm (which runs the model's full_clean)."""

    action = "add"
    list_url_name = ""
    list_label = ""

    def get_context_data(self, **kwargs):
        list_url = reverse(self.list_url_name)
        kwargs.setdefault("cancel_url", list_url)
        kwargs.setdefault("breadcrumbs", [{"label": self.list_label, "url": list_url}, {"label": self.title}])
        return super().get_context_data(**kwargs)

    def save(self, form):
        return form.save()


class ScopedUpdatePage(ScopedFormPage):
    """Edit one object in scope through its ModelForm; ``crumbs(*tail)`` gives the breadcrumbs."""

    action = "change"
    loads_object = True
    kind_label = ""

    def crumbs(self, *tail):
        return []

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.object}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", f"编辑{self.kind_label}：{self.object}")
        kwargs.setdefault("cancel_url", self.object.get_absolute_url())
        kwargs.setdefault("breadcrumbs", self.crumbs(("编辑", None)))
        return super().get_context_data(**kwargs)

    def save(self, form):
        return form.save()


def add_validation_error(form, error):
    """Attach a model/service ValidationError to the form fields it names (others on top)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


class ScopedDeletePage(ScopedPage):
    """Confirm, then delete through a service that refuses while something hangs off the object."""

    action = "delete"
    loads_object = True
    template_name = "includes/delete_page.html"
    kind_label = ""
    hint = ""
    list_url_name = ""

    def dependents(self):  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def delete(self):  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(dependents=self.dependents(), kind_label=self.kind_label, hint=self.hint)
        return context

    def post(self, request, *args, **kwargs):
        try:
            self.delete()
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
            return redirect(self.object.get_absolute_url())
        messages.success(request, f"{self.kind_label}“{self.object}”已删除")
        return redirect(self.list_url_name)
