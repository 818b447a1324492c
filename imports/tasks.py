"""Background runs of large imports (django-tasks; worker: python manage.py db_worker)."""

from django_tasks import task


@task()
def run_import_job(job_id, confirm):
    from .services import job_run

    job_run(job_id, confirm=confirm)
