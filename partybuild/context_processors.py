"""Navigation shown to each role: only what the role may use (roles.md).

Each entry names a URL; entries whose URL is not (yet) defined are left out, so an app adds
its pages to the menu by defining the URL named here.
"""

from django.urls import NoReverseMatch, reverse

from partybuild.scoping import Role

ALL = {Role.STAFF, Role.LEADER, Role.SECRETARY, Role.INSTRUCTOR, Role.ADMIN}
OFFICE = {Role.STAFF, Role.LEADER, Role.ADMIN}

NAV_ITEMS = [
    ("工作台", "home", ALL),
    ("数据看板", "metrics:dashboard", OFFICE),
    ("企业", "enterprises:enterprise_list", OFFICE | {Role.INSTRUCTOR}),
    ("党组织", "organizations:organization_list", OFFICE),
    ("我的党组织", "organizations:my_organization", {Role.SECRETARY}),
    ("评定与提醒", "metrics:org_view", {Role.SECRETARY}),
    ("指导员", "instructors:instructor_list", OFFICE),
    ("党员及发展对象", "members:person_list", OFFICE | {Role.SECRETARY}),
    ("活动档案", "archives:record_list", ALL),
    ("驻企指导", "archives:visit_list", {Role.INSTRUCTOR, Role.STAFF, Role.ADMIN}),
    ("工作提醒", "metrics:warnings", OFFICE),
    ("年度报表", "metrics:annual_report", OFFICE),
    ("目标管理", "metrics:target_list", {Role.STAFF, Role.ADMIN}),
    ("数据导入", "imports:upload", {Role.STAFF, Role.ADMIN}),
    ("区域", "regions:region_list", OFFICE),
    ("账户管理", "accounts:user_list", {Role.STAFF, Role.ADMIN}),
]


def navigation(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"nav_items": []}
    role = Role.ADMIN if user.is_admin else user.role
    items = []
    for label, url_name, roles in NAV_ITEMS:
        if role not in roles:
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "active": request.path == url or (url != "/" and request.path.startswith(url))})
    return {"nav_items": items}
