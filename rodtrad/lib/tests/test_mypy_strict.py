"""The modules that must be `mypy --strict` stay so (docs/style.md, "Type everything").

pyproject.toml cannot say `strict = true` for some modules only, so it lists strict's flags in
an override. These tests read that configuration the way mypy reads it (mypy's own parser) and
check, module by module, that every service module, rule table, the workflow, the access
functions and the journal get every flag that `mypy --strict` turns on: a new app's
`services.py`, or a flag that a newer mypy adds to `--strict`, cannot slip past unnoticed.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from mypy.config_parser import parse_config_file
from mypy.main import define_options
from mypy.options import PER_MODULE_OPTIONS, Options

ROOT = Path(settings.BASE_DIR)
PACKAGE = ROOT / "rodtrad"
# Modules that are strict by name, besides every services and rules module.
NAMED_STRICT = ("rodtrad.accounts.access", "rodtrad.cases.workflow", "rodtrad.followup.scoring")
STRICT_PACKAGES = ("rodtrad.journal",)


def _strict_flags() -> list[tuple[str, object]]:
    """What `--strict` sets, as (option, value) pairs, from the installed mypy itself."""
    _parser, _names, assignments = define_options()
    return list(assignments)


def _configured() -> Options:
    options = Options()
    errors = io.StringIO()
    parse_config_file(options, lambda: None, str(ROOT / "pyproject.toml"), io.StringIO(), errors)
    assert errors.getvalue() == "", errors.getvalue()
    return options


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _source_modules() -> list[Path]:
    return [
        path
        for path in PACKAGE.rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts
    ]


def _strict_modules() -> list[str]:
    """Every module the strict override must cover, found in the tree (not in the config)."""
    names = set(NAMED_STRICT)
    for path in _source_modules():
        name = _module_name(path)
        parts = name.split(".")
        if "services" in parts or "rules" in parts:  # services.py, or a services/ package
            names.add(name)
        if any(name == p or name.startswith(p + ".") for p in STRICT_PACKAGES):
            names.add(name)
    return sorted(names)


def test_the_tree_has_the_modules_that_must_be_strict() -> None:
    modules = _strict_modules()
    assert "rodtrad.intake.services" in modules
    assert "rodtrad.deadlines.rules" in modules
    assert "rodtrad.journal.services" in modules
    for name in NAMED_STRICT:
        path = PACKAGE.parent / (name.replace(".", "/") + ".py")
        assert path.exists(), f"{name} is named strict here but does not exist"


@pytest.mark.parametrize("module", _strict_modules())
def test_every_services_rules_access_workflow_and_journal_module_gets_all_of_stricts_flags(
    module: str,
) -> None:
    options = _configured().clone_for_module(module)
    missing = [
        f"{name} = {value}"
        for name, value in _strict_flags()
        if name in PER_MODULE_OPTIONS and getattr(options, name) != value
    ]
    assert missing == [], f"{module} is not strict in pyproject.toml; it lacks {missing}"


def test_stricts_global_flags_are_set_for_the_whole_tree() -> None:
    options = _configured()
    missing = [
        f"{name} = {value}"
        for name, value in _strict_flags()
        if name not in PER_MODULE_OPTIONS and getattr(options, name) != value
    ]
    assert missing == [], f"[tool.mypy] lacks strict's global flags {missing}"


def test_a_new_apps_services_are_strict_without_an_edit_to_the_configuration() -> None:
    options = _configured()
    for module in ("rodtrad.decisions.services", "rodtrad.followup.services.placements"):
        assert options.clone_for_module(module).disallow_any_generics, module
