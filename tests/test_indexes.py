"""Every index earns its keep: none is the leading part of another, which serves its lookups already."""

import pytest
from django.apps import apps
from django.db import models

from logs.models import Episode


def indexed_column_lists(model):
    meta = model._meta
    lists = []
    for field in meta.local_fields:
        if field.primary_key:
            continue
        if field.db_index or field.unique:
            lists.append((field.column,))
    for index in meta.indexes:
        lists.append(tuple(meta.get_field(name.lstrip("-")).column for name in index.fields))
    for constraint in meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields and constraint.condition is None:
            lists.append(tuple(meta.get_field(name).column for name in constraint.fields))
    return lists


MODELS = [model for app in ("logs", "sharing", "reminders") for model in apps.get_app_config(app).get_models()]


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model._meta.label)
def test_no_index_repeats_the_start_of_another(model):
    lists = indexed_column_lists(model)
    repeats = [
        (shorter, longer)
        for shorter in lists
        for longer in lists
        if shorter is not longer and len(shorter) <= len(longer) and longer[: len(shorter)] == shorter
    ]
    assert not repeats, f"{model._meta.label}: {repeats}"


def test_the_episode_index_leads_with_the_patient():
    """The dashboard, the lists and the summary all ask for one patient's episodes in a time range."""
    assert ("patient_id", "started_at") in indexed_column_lists(Episode)
