"""Every HTTP surface is documented (issue 9, point 10): each openapi/*.yaml is valid OpenAPI 3.1, every HttpApi
route of template.yaml is in exactly one of them, and what the documents enumerate matches what the code has."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from integrations.core.connectors import shipped
from openapi_spec_validator import validate

from local.resources import load_template

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = {path.name: yaml.safe_load(path.read_text()) for path in sorted((ROOT / "openapi").glob("*.yaml"))}
METHODS = {"get", "put", "post", "delete", "patch"}


def documented(document: dict) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, item in document["paths"].items() for method in item
            if method in METHODS}


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_each_document_is_valid_openapi_3_1(name):
    validate(DOCUMENTS[name])
    assert DOCUMENTS[name]["openapi"].startswith("3.1")


def test_every_route_of_the_template_is_documented_once_and_nothing_else_is():
    routes = {(event["Properties"]["Method"].upper(), event["Properties"]["Path"])
              for resource in load_template()["Resources"].values() if resource["Type"] == "AWS::Serverless::Function"
              for event in resource["Properties"].get("Events", {}).values() if event["Type"] == "HttpApi"}
    places = [route for document in DOCUMENTS.values() for route in documented(document)]
    assert len(places) == len(set(places)), "a route is documented twice"
    assert set(places) == routes


def test_the_integration_types_a_client_may_create_are_the_shipped_connectors():
    enum = DOCUMENTS["management.yaml"]["components"]["schemas"]["IntegrationTypeKey"]["enum"]
    assert sorted(enum) == sorted(shipped())
