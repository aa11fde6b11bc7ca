from decimal import Decimal

import pytest
from django.core.management import call_command

from catalog.models import CatalogItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)


def test_catalog_lists_seeded_items(client, cache_backend, seeded):
    response = client.get("/api/catalog")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "drinks": [
            {"id": "d-1", "name": "Brocode Beer", "price": 180},
            {"id": "d-2", "name": "Kingfisher Beer", "price": 170},
        ],
        "food": [
            {"id": "f-1", "name": "Beef Biriyani", "price": 220},
            {"id": "f-2", "name": "Parotta", "price": 30},
        ],
        "cigarettes": [
            {"id": "c-1", "name": "Marlboro", "price": 25},
            {"id": "c-2", "name": "Classic", "price": 20},
        ],
    }


def test_catalog_has_every_category_when_empty(client, cache_backend):
    response = client.get("/api/catalog")

    assert response.status_code == 200
    assert response.json() == {"drinks": [], "food": [], "cigarettes": []}


def test_category_lists_its_items(client, cache_backend, seeded):
    response = client.get("/api/catalog/food")

    assert response.status_code == 200
    assert response.json() == [
        {"id": "f-1", "name": "Beef Biriyani", "price": 220},
        {"id": "f-2", "name": "Parotta", "price": 30},
    ]


def test_unknown_category_is_404(client, cache_backend, seeded):
    response = client.get("/api/catalog/snacks")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert "snacks" in response.json()["error"]


def test_price_with_paise_is_exact_number(client, cache_backend):
    CatalogItem.objects.create(
        id="f-9", category="food", name="Chai", price=Decimal("30.5")
    )

    response = client.get("/api/catalog/food")

    assert response.json() == [{"id": "f-9", "name": "Chai", "price": 30.5}]
    assert b'"price":30.5' in response.content


def test_spots_newest_first(client, cache_backend, seeded):
    from datetime import UTC, datetime

    from tests.factories import SpotFactory

    SpotFactory(id="spot-later", date=datetime(2025, 8, 1, 18, 0, tzinfo=UTC))

    response = client.get("/api/spots")

    assert response.status_code == 200
    spots = response.json()
    assert [spot["id"] for spot in spots] == ["spot-later", "spot-2025-07-26"]
    assert spots[1] == {
        "id": "spot-2025-07-26",
        "location": "Attibele Toll Plaza",
        "date": "2025-07-26T10:00:00Z",
        "hostUserId": spots[1]["hostUserId"],
        "description": "",
    }
    assert isinstance(spots[1]["hostUserId"], str)


def test_catalog_read_is_served_from_cache(
    client, cache_backend, seeded, django_assert_num_queries
):
    client.get("/api/catalog")

    with django_assert_num_queries(0):
        response = client.get("/api/catalog")

    assert response.status_code == 200
    assert len(response.json()["drinks"]) == 2


@pytest.mark.django_db(transaction=True)
def test_change_shows_on_next_read(client, cache_backend, seeded):
    assert client.get("/api/catalog/drinks").json()[0]["price"] == 180

    item = CatalogItem.objects.get(id="d-1")
    item.price = Decimal("199.5")
    item.save()

    assert client.get("/api/catalog/drinks").json()[0]["price"] == 199.5


def test_etag_gives_304(client, cache_backend, seeded):
    first = client.get("/api/catalog")
    etag = first["ETag"]

    second = client.get("/api/catalog", HTTP_IF_NONE_MATCH=etag)

    assert etag
    assert second.status_code == 304
