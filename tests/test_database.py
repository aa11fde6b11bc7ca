import os

import pytest
from django.db import connection

from catalog.models import Spot
from tests.factories import SpotFactory


@pytest.mark.django_db
def test_database_is_the_configured_one():
    """Fail a run that meant to use PostgreSQL but fell back to SQLite."""
    expected = os.environ.get("EXPECT_DATABASE_VENDOR")
    if not expected:
        pytest.skip("EXPECT_DATABASE_VENDOR is not set")

    assert connection.vendor == expected


@pytest.mark.django_db
def test_spot_round_trips_through_database():
    SpotFactory(id="spot-db", location="Hosur Road")

    assert Spot.objects.get(id="spot-db").location == "Hosur Road"
