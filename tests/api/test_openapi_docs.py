"""The OpenAPI description documents every operation and every parameter, so /docs is enough to use the API."""

from __future__ import annotations


def test_every_operation_and_parameter_is_described(client) -> None:
    spec = client.get("/openapi.json").json()
    undocumented = []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if not (operation.get("summary") and operation.get("description")):
                undocumented.append(f"{method.upper()} {path}")
            undocumented += [
                f"{method.upper()} {path} ?{p['name']}" for p in operation.get("parameters", []) if not p.get("description")
            ]
    assert undocumented == []


def test_id_parameters_have_examples(client) -> None:
    spec = client.get("/openapi.json").json()
    for path, item in spec["paths"].items():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["name"].endswith("_id"):
                    assert parameter.get("examples") or parameter["schema"].get("examples"), (path, parameter["name"])
