"""/docs shows the API documentation from the vendored Swagger UI: nothing from another host, no inline script."""

from __future__ import annotations

import re


def test_docs_page_loads_only_local_assets(client) -> None:
    response = client.get("/docs")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    csp = response.headers["content-security-policy"]
    assert (
        "script-src 'self'" in csp
        and "unsafe-eval" not in csp
        and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    )
    assets = re.findall(r'(?:src|href)="([^"]+)"', response.text)
    assert assets and all(a.startswith("/static/") for a in assets)
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    assert not re.search(r"<script>[^<]", response.text), "no inline script"
    assert client.get("/openapi.json").json()["info"]["title"] == "catkg"


def test_swagger_ui_license_is_shipped(client) -> None:
    assert "Apache License" in client.get("/static/vendor/swagger-ui/LICENSE").text
