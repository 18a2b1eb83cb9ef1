"""S28: the Content Security Policy is strict, Chromium enforces it, and violations are reported."""

from __future__ import annotations

import time
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

CSP_ACTION = "security.csp_violation_reported"


def parse_csp(header: str) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def wait_for_journal_count(server: Any, at_least: int, timeout: float = 15.0) -> int:
    deadline = time.monotonic() + timeout
    count = server.database.journal_count(CSP_ACTION)
    while count < at_least and time.monotonic() < deadline:
        time.sleep(0.5)
        count = server.database.journal_count(CSP_ACTION)
    return count


def test_s28_csp(page, e2e_server):
    response = page.goto("/konto/logga-in/")
    assert response is not None and response.ok
    csp = parse_csp(response.headers["content-security-policy"])

    script_src = csp["script-src"]
    assert "'self'" in script_src
    nonces = [source for source in script_src if source.startswith("'nonce-")]
    assert len(nonces) == 1, script_src
    assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:"} & set(script_src)
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["report-uri"] == ["/csp-report/"]
    assert "'unsafe-inline'" not in csp.get("style-src", [])

    # The page's own scripts carry this response's nonce and ran; a new response, a new nonce.
    nonce = nonces[0].removeprefix("'nonce-").removesuffix("'")
    page_nonces = page.evaluate("[...document.scripts].map(s => s.nonce)")
    assert page_nonces and set(page_nonces) == {nonce}
    assert page.evaluate("typeof window.htmx") == "object"
    again = parse_csp(page.request.get("/konto/logga-in/").headers["content-security-policy"])
    assert again["script-src"] != script_src

    reports_before = e2e_server.database.journal_count(CSP_ACTION)

    # An attacker's markup: an inline script and an inline event handler, without the nonce.
    page.evaluate(
        """() => {
            window.__violations = [];
            document.addEventListener("securitypolicyviolation",
                (event) => window.__violations.push(event.effectiveDirective));
            const script = document.createElement("script");
            script.textContent = "window.__inlineScriptRan = true;";
            document.body.appendChild(script);
            const image = document.createElement("img");
            image.alt = "";
            image.setAttribute("onerror", "window.__inlineHandlerRan = true;");
            image.src = "data:,not-an-image";
            document.body.appendChild(image);
        }"""
    )
    page.wait_for_function("window.__violations.length >= 2")

    assert page.evaluate("window.__inlineScriptRan") is None
    assert page.evaluate("window.__inlineHandlerRan") is None
    assert set(page.evaluate("window.__violations")) == {"script-src-elem", "script-src-attr"}

    # Chromium posted both violations to report-uri, and the server journaled them.
    assert wait_for_journal_count(e2e_server, reports_before + 2) == reports_before + 2
