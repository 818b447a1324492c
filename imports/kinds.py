"""The registry of import kinds, in import order (import-formats.md: Import order)."""

KIND_ORDER = ["regions", "enterprises", "organizations", "instructors", "members", "region_stats", "evaluations"]
EXPORT_KINDS = KIND_ORDER


def all_kinds():
    from enterprises.resources import EnterpriseImport
    from instructors.resources import InstructorImport
    from members.resources import PersonImport
    from organizations.resources import EvaluationImport, OrganizationImport
    from regions.resources import RegionImport, RegionStatImport

    kinds = [
        RegionImport(),
        EnterpriseImport(),
        OrganizationImport(),
        InstructorImport(),
        PersonImport(),
        RegionStatImport(),
        EvaluationImport(),
    ]
    return {kind.name: kind for kind in kinds}


def get_kind(name):
    kinds = all_kinds()
    if name not in kinds:
        raise KeyError(name)
    return kinds[name]


def workbook_kinds():
    kinds = all_kinds()
    return [kinds[name] for name in KIND_ORDER]


def kind_choices():
    kinds = all_kinds()
    return [(name, kinds[name].label) for name in KIND_ORDER] + [("workbook", "多工作表工作簿（按顺序全部导入）")]
