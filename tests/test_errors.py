"""Every error under /api/ is JSON in the one shape, whatever raised it."""

import pytest

pytestmark = pytest.mark.django_db


def assert_json_error(response, status, code):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["error"], str)
    assert body["error"]


@pytest.mark.parametrize("debug", [False, True])
def test_unknown_route_is_json_404(client, settings, debug):
    settings.DEBUG = debug

    response = client.get("/api/no-such-route")

    assert_json_error(response, 404, "not_found")


def test_trailing_slash_is_json_404(client):
    response = client.get("/api/catalog/")

    assert_json_error(response, 404, "not_found")


def test_wrong_method_is_json_405(client):
    response = client.post("/api/catalog", {}, content_type="application/json")

    assert_json_error(response, 405, "method_not_allowed")


def test_html_accept_still_gets_json(client):
    response = client.get("/api/catalog", HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


@pytest.mark.urls("tests.urls_errors")
@pytest.mark.parametrize("body", [b"{", b"not json", b'{"a": }', b"\xff\xfe"])
def test_malformed_json_is_invalid_json(client, body):
    response = client.post("/api/test/echo", body, content_type="application/json")

    assert_json_error(response, 400, "invalid_json")


@pytest.mark.urls("tests.urls_errors")
def test_non_json_body_is_415(client):
    response = client.post("/api/test/echo", b"a=1", content_type="text/plain")

    assert_json_error(response, 415, "unsupported_media_type")


@pytest.mark.urls("tests.urls_errors")
def test_body_over_limit_is_json_413(client, settings):
    settings.MAX_REQUEST_BODY_BYTES = 1024
    body = b'{"padding": "' + b"x" * 2048 + b'"}'

    response = client.post("/api/test/echo", body, content_type="application/json")

    assert_json_error(response, 413, "request_too_large")
    assert "1024" in response.json()["error"]


@pytest.mark.urls("tests.urls_errors")
@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("path", ["/api/test/explode", "/api/test/plain-explode"])
def test_server_error_is_json_500_without_details(client, settings, debug, path):
    settings.DEBUG = debug
    client.raise_request_exception = False

    response = client.get(path)

    assert_json_error(response, 500, "server_error")
    assert b"secret internal detail" not in response.content
    assert b"Traceback" not in response.content


def test_admin_pages_stay_html(client):
    response = client.get("/admin/login/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
