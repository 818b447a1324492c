from django import forms
from django.conf import settings

from .kinds import kind_choices


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="导入类别", choices=())
    file = forms.FileField(
        label="Excel 文件",
        help_text="支持 .xlsx、.xls、.csv（UTF-8 或 GB18030）；表头可在前 10 行内，允许有标题行",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv"}),
    )

    def __init__(self, *args, allowed_kinds=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            (name, label) for name, label in kind_choices() if allowed_kinds is None or name in allowed_kinds
        ]

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        limit = settings.IMPORT_MAX_BYTES
        if uploaded.size > limit:
            raise forms.ValidationError(f"文件大小超过上限（{limit / (1024 * 1024):g} MB）")
        if not uploaded.name.lower().endswith((".xlsx", ".xls", ".csv")):
            raise forms.ValidationError("不支持的文件类型：请上传 .xlsx、.xls 或 .csv 文件")
        return uploaded
