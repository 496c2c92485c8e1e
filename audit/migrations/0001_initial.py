"""
AuditEvent moves from the diary's app to this one. Its table keeps its name
(Meta.db_table), so nothing in the database changes but the content type,
which is renamed so that permissions and admin history stay with the model.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor, old="logs", new="audit"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label=new, model="auditevent").exists():
        ContentType.objects.filter(app_label=old, model="auditevent").update(app_label=new)


def move_content_type_back(apps, schema_editor):
    move_content_type(apps, schema_editor, old="audit", new="logs")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("logs", "0007_dates_in_bounds"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditEvent",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("actor_ref", models.CharField(blank=True, max_length=40, verbose_name="by")),
                        ("patient_ref", models.CharField(blank=True, max_length=40, verbose_name="whose")),
                        ("action", models.CharField(max_length=40)),
                        ("target", models.CharField(blank=True, max_length=80)),
                        ("address", models.GenericIPAddressField(blank=True, null=True)),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "logs_auditevent",
                        "ordering": ["-at"],
                        "indexes": [
                            models.Index(fields=["patient_ref", "at"], name="logs_audite_patient_92aa2c_idx"),
                            models.Index(fields=["actor_ref", "at"], name="logs_audite_actor_r_a044d2_idx"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
