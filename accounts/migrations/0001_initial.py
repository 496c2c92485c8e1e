"""
PendingAccount moves from the diary's app to this one. Its table keeps its name
(Meta.db_table), so nothing in the database changes but the content type,
which is renamed so that permissions and admin history stay with the model.
"""

import django.db.models.functions.text
import django.utils.timezone
from django.db import migrations, models


def move_content_type(apps, schema_editor, old="logs", new="accounts"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label=new, model="pendingaccount").exists():
        ContentType.objects.filter(app_label=old, model="pendingaccount").update(app_label=new)


def move_content_type_back(apps, schema_editor):
    move_content_type(apps, schema_editor, old="accounts", new="logs")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("logs", "0007_dates_in_bounds"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PendingAccount",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("token_hash", models.CharField(max_length=64, unique=True)),
                        ("email", models.EmailField(max_length=254)),
                        ("display_name", models.CharField(max_length=150)),
                        ("time_zone", models.CharField(max_length=64)),
                        ("details", models.JSONField(blank=True, default=dict)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                    ],
                    options={
                        "db_table": "logs_pendingaccount",
                        "constraints": [
                            models.UniqueConstraint(fields=("email",), name="pending_account_one_per_address"),
                            models.CheckConstraint(
                                condition=models.Q(("email", django.db.models.functions.text.Lower("email"))),
                                name="pending_account_email_lower_case",
                            ),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
