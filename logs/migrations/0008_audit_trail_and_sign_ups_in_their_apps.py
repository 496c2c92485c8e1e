"""The audit trail and waiting sign-ups now belong to their own apps; their tables stay as they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("logs", "0007_dates_in_bounds"),
        ("accounts", "0001_initial"),
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="auditevent",
                    name="actor",
                ),
                migrations.DeleteModel(
                    name="PendingAccount",
                ),
                migrations.DeleteModel(
                    name="AuditEvent",
                ),
            ],
            # The tables stay, under their names, for the audit and accounts apps.
            database_operations=[],
        ),
    ]
