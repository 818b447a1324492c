from accounts.pages import ScopedModelForm
from regions.models import RegionStat


class RegionStatForm(ScopedModelForm):
    class Meta:
        model = RegionStat
        fields = ["year", "total_members", "new_members"]
