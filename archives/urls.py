from django.urls import path

from . import views

app_name = "archives"

urlpatterns = [
    path("", views.record_list, name="record_list"),
    path("records/add/", views.record_add, name="record_add"),
    path("records/<int:pk>/", views.record_detail, name="record_detail"),
    path("records/<int:pk>/edit/", views.record_edit, name="record_edit"),
    path("records/<int:pk>/delete/", views.record_delete, name="record_delete"),
    path("records/<int:pk>/photos/", views.photo_add, name="photo_add"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("photos/<int:pk>/thumbnail/", views.thumbnail, name="thumbnail"),
    path("photos/<int:pk>/edit/", views.photo_edit, name="photo_edit"),
    path("photos/<int:pk>/delete/", views.photo_delete, name="photo_delete"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
    path("organizations/<int:organization_id>/<int:year>/", views.archive, name="archive"),
    path("organizations/<int:organization_id>/<int:year>/gallery/", views.gallery, name="gallery"),
    path("organizations/<int:organization_id>/export/", views.export_organization, name="export_organization"),
    path("exports/", views.export_region, name="export_region"),
    path("exports/<int:pk>/", views.export_detail, name="export_detail"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("compliance/", views.compliance, name="compliance"),
    path("year-closing/", views.year_close, name="year_close"),
    path("year-closing/<int:pk>/reopen/", views.year_reopen, name="year_reopen"),
    path("sites/<int:organization_id>/", views.site_detail, name="site_detail"),
    path("sites/<int:organization_id>/edit/", views.site_edit, name="site_edit"),
    path("site-photos/<int:pk>/", views.site_photo, name="site_photo"),
    path("site-photos/<int:pk>/thumbnail/", views.site_thumbnail, name="site_thumbnail"),
    path("site-photos/<int:pk>/delete/", views.site_photo_delete, name="site_photo_delete"),
    path("centres/", views.centre_list, name="centre_list"),
    path("centres/add/", views.centre_add, name="centre_add"),
    path("centres/<int:pk>/", views.centre_detail, name="centre_detail"),
    path("centres/<int:pk>/edit/", views.centre_edit, name="centre_edit"),
    path("visits/", views.visit_list, name="visit_list"),
    path("visits/add/", views.visit_add, name="visit_add"),
    path("visits/<int:pk>/edit/", views.visit_edit, name="visit_edit"),
]
