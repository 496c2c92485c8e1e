"""
Migrations run forward on a database that already holds data: the audit trail and
waiting sign-ups moved from the diary's app to their own, keeping their tables.
"""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import PendingAccount
from audit.models import AuditEvent

BEFORE_THE_MOVE = [("logs", "0007_dates_in_bounds"), ("audit", None), ("accounts", None)]


def migrate(targets):
    """Migrate to targets; the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state([target for target in targets if target[1]]).apps


@pytest.mark.django_db(transaction=True)
def test_moving_the_audit_trail_and_sign_ups_to_their_apps_keeps_every_row_and_permission():
    old = migrate(BEFORE_THE_MOVE)
    User = old.get_model("logs", "User")
    patient = User.objects.create(email="kept@example.com", display_name="Kept", time_zone="Europe/London")
    old.get_model("logs", "AuditEvent").objects.create(
        actor_id=patient.pk, actor_ref=f"account {patient.pk}", action="logged", target="episode 1"
    )
    old.get_model("logs", "PendingAccount").objects.create(
        token_hash="a" * 64, email="waiting@example.com", display_name="Waiting", time_zone="UTC"
    )
    # As a database that has served requests holds them: the old content type, with a permission.
    old_type = ContentType.objects.filter(app_label="logs", model="auditevent").first()
    if old_type is None:
        old_type = ContentType.objects.create(app_label="logs", model="auditevent")
    ContentType.objects.filter(app_label="audit").delete()

    executor = MigrationExecutor(connection)
    migrate(executor.loader.graph.leaf_nodes())

    event = AuditEvent.objects.get()
    assert (event.actor.email, event.action, event.target) == ("kept@example.com", "logged", "episode 1")
    assert PendingAccount.objects.get().email == "waiting@example.com"
    assert ContentType.objects.get(app_label="audit", model="auditevent").pk == old_type.pk
    assert not ContentType.objects.filter(app_label="logs", model="auditevent").exists()
