"""WCAG 2.1 A/AA checks with axe-core in the browser, and the automatic check of every page.

`check_accessibility(page)` checks the page as it is now and fails with a readable list.
`AccessibilityWatch` (used by the `page` fixture in e2e/conftest.py) checks every document the
test lands on: a `load` listener marks the page as unchecked, and the next time the test uses
the page (goto, a locator, a click, ...) or at the end of the test, axe runs on it. Checking
at those points rather than inside the listener keeps axe from racing the test's own clicks.
Zero violations are allowed.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}

# Page methods after which the test is on a freshly loaded document.
NAVIGATIONS = ("goto", "reload", "go_back", "go_forward")
# Page methods that use the current document: check it first if it is new.
USES_DOCUMENT = (
    "click",
    "dblclick",
    "fill",
    "press",
    "type",
    "check",
    "uncheck",
    "select_option",
    "set_input_files",
    "hover",
    "focus",
    "locator",
    "get_by_role",
    "get_by_text",
    "get_by_label",
    "get_by_placeholder",
    "get_by_alt_text",
    "get_by_title",
    "get_by_test_id",
    "evaluate",
    "evaluate_handle",
    "content",
    "title",
    "screenshot",
    "wait_for_selector",
    "query_selector",
    "query_selector_all",
)


@dataclass(frozen=True)
class Violation:
    url: str
    rule: str
    impact: str
    target: str
    help: str
    help_url: str

    def describe(self) -> str:
        return f"{self.rule} [{self.impact}] {self.target}: {self.help} ({self.url})"


def axe_violations(page: Page) -> list[Violation]:
    """Run axe-core (WCAG 2.1 A and AA rules) on the page's current document."""
    result = Axe().run(page, options=AXE_OPTIONS)
    path = page.url.split("?")[0]
    return [
        Violation(
            url=path,
            rule=violation["id"],
            impact=violation.get("impact") or "unknown",
            target=" ".join(str(part) for part in node.get("target", [])),
            help=violation.get("help", ""),
            help_url=violation.get("helpUrl", ""),
        )
        for violation in result.response["violations"]
        for node in violation.get("nodes", [])
    ]


def format_violations(violations: list[Violation]) -> str:
    lines = [f"{len(violations)} accessibility violation(s) (axe, WCAG 2.1 A/AA):"]
    lines += [f"  - {violation.describe()}" for violation in violations]
    return "\n".join(lines)


def check_accessibility(page: Page) -> None:
    """Fail with a readable list if the page's current document has any WCAG 2.1 AA violation."""
    violations = axe_violations(page)
    assert not violations, format_violations(violations)


@dataclass
class AccessibilityWatch:
    """Checks every document a test's page loads; violations are collected, not raised."""

    page: Page
    violations: list[Violation] = field(default_factory=list)
    checked_urls: list[str] = field(default_factory=list)
    _unchecked: bool = False
    _checking: bool = False

    def install(self) -> None:
        self.page.on("load", self._on_load)
        for name in NAVIGATIONS:
            self._wrap(name, check_after=True)
        for name in USES_DOCUMENT:
            self._wrap(name, check_after=False)

    def _on_load(self, *_args: Any) -> None:
        # Runs in Playwright's event greenlet: only note it, never call the page from here.
        self._unchecked = True

    def _wrap(self, name: str, *, check_after: bool) -> None:
        original = getattr(self.page, name)

        @functools.wraps(original)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            self.check_if_new()
            result = original(*args, **kwargs)
            if check_after:
                self.check_if_new()
            return result

        setattr(self.page, name, wrapper)

    def check_if_new(self) -> None:
        """Run axe on the current document if a load happened since the last check."""
        if self._checking or not self._unchecked or self.page.is_closed():
            return
        self._checking = True
        try:
            for _attempt in range(3):
                self._unchecked = False
                try:
                    self.page.wait_for_load_state("load")
                    found = axe_violations(self.page)
                except PlaywrightError as error:
                    # The document went away while axe ran (the test navigated on): check
                    # whatever is loaded now instead.
                    if "context was destroyed" not in str(error) and "navigat" not in str(error):
                        raise
                    self._unchecked = True
                    continue
                self.checked_urls.append(self.page.url)
                for violation in found:
                    if violation not in self.violations:
                        self.violations.append(violation)
                if not self._unchecked:
                    break
        finally:
            self._checking = False
