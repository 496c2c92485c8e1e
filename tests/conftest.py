import pytest

from tests.factories import UserFactory


@pytest.fixture
def patient(db):
    return UserFactory()


@pytest.fixture
def other_patient(db):
    return UserFactory()


@pytest.fixture
def patient_client(client, patient):
    client.force_login(patient)
    return client
