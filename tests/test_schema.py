"""The OpenAPI schema and the Swagger UI, served without any other host."""

import re

import pytest

pytestmark = pytest.mark.django_db

# Every operation of the HTTP contract: path template and methods.
CONTRACT = {
    "/api/health": {"get"},
    "/api/auth/login": {"post"},
    "/api/auth/logout": {"post"},
    "/api/auth/logout-all": {"post"},
    "/api/auth/me": {"get"},
    "/api/auth/sessions": {"get"},
    "/api/auth/sessions/{session_id}": {"delete"},
    "/api/users": {"get", "post"},
    "/api/users/{user_id}": {"delete"},
    "/api/catalog": {"get"},
    "/api/catalog/{category}": {"get"},
    "/api/catalog/items": {"post"},
    "/api/catalog/items/{item_id}": {"patch", "delete"},
    "/api/spots": {"get", "post"},
    "/api/spots/{spot_id}": {"patch", "delete"},
    "/api/orders": {"get", "post"},
    "/api/orders/{order_id}": {"get"},
    "/api/bills/{spot_id}": {"get"},
    "/api/presence/heartbeat": {"post"},
    "/api/presence/leave": {"post"},
    "/api/presence/active": {"get"},
    "/api/events/state/{event_key}": {"get", "put", "post", "delete"},
}


@pytest.fixture
def schema(client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def test_schema_is_openapi_json(client):
    response = client.get("/api/schema/?format=json")

    assert response.status_code == 200
    assert "json" in response["Content-Type"]
    assert response.json()["openapi"].startswith("3.")


def test_schema_yaml_by_default(client):
    response = client.get("/api/schema/")

    assert response.status_code == 200
    assert b"openapi:" in response.content


def test_schema_covers_contract(schema):
    for path, methods in CONTRACT.items():
        assert path in schema["paths"], path
        assert methods <= set(schema["paths"][path]), path


def test_every_operation_documents_errors(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert any(code.startswith("4") for code in responses), (path, method)
            if "400" in responses:
                error = responses["400"]["content"]["application/json"]["schema"]
                assert error["$ref"].endswith("/Error")


def test_bearer_security_scheme(schema):
    schemes = schema["components"]["securitySchemes"]

    assert schemes["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "The token returned by POST /api/auth/login.",
    }
    me = schema["paths"]["/api/auth/me"]["get"]
    assert {"bearerAuth": []} in me["security"]


def test_request_and_response_schemas(schema):
    create_order = schema["paths"]["/api/orders"]["post"]
    login = schema["paths"]["/api/auth/login"]["post"]

    assert "requestBody" in create_order
    assert "201" in create_order["responses"]
    assert "409" in create_order["responses"]
    assert "requestBody" in login
    assert "200" in login["responses"]
    assert "429" in login["responses"]


def test_swagger_ui_is_served_offline(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger-ui" in page
    external = re.findall(r"""(?:src|href)=["'](https?://[^"']+)""", page)
    assert external == []


def test_swagger_ui_assets_are_served(client):
    page = client.get("/api/docs/").content.decode()
    assets = re.findall(r"""(?:src|href)=["'](/static/[^"']+)""", page)

    assert assets
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset
