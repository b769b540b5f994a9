"""Swagger UI really runs in Chromium under the site's CSP (no inline script, no CDN)."""

import pytest


@pytest.mark.browser
class SwaggerUiBrowserTests:
    def test_it_renders_the_operations_without_csp_violations(self, shell, live_server):
        errors: list[str] = []
        shell.page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        shell.page.on("pageerror", lambda exc: errors.append(str(exc)))
        response = shell.page.goto(f"{live_server.url}/api/v1/docs/")
        assert response is not None
        assert "script-src 'self'" in response.headers["content-security-policy"]
        shell.page.wait_for_selector(".opblock-summary-path", timeout=15_000)
        paths = set(shell.page.locator(".opblock-summary-path").all_inner_texts())
        assert {"/api/v1/auth/token/", "/api/v1/me/", "/api/v1/nodes/"} <= paths
        assert errors == []
