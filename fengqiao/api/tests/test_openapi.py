"""The OpenAPI document is served and lists the endpoints; nothing loads from a CDN."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse


def test_openapi_json_lists_the_endpoints(db: None) -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["info"]["title"] == "枫桥 API"
    assert doc["info"]["version"] == "1"
    assert set(doc["paths"]["/api/v1/cases"]) == {"get", "post"}
    assert set(doc["paths"]["/api/v1/cases/{number}"]) == {"get"}
    post = doc["paths"]["/api/v1/cases"]["post"]
    assert {"201", "401", "403", "409", "422"} <= set(post["responses"])
    assert [p["name"] for p in post["parameters"]] == ["Idempotency-Key"]
    schemes = doc["components"]["securitySchemes"]
    assert schemes["BearerKey"] == {"type": "http", "scheme": "bearer"}
    assert schemes["HeaderKey"]["name"] == "X-API-Key"
    # The enum of categories is published for clients.
    assert "neighbour" in doc["components"]["schemas"]["DisputeCategory"]["enum"]


def test_urls_are_namespaced_and_docs_page_is_off(db: None) -> None:
    assert reverse("api:case_list") == "/api/v1/cases"
    assert reverse("api:openapi-json") == "/api/v1/openapi.json"
    response = Client().get("/api/v1/docs")
    assert response.status_code == 404
    assert b"cdn" not in Client().get("/api/v1/openapi.json").content.lower()
