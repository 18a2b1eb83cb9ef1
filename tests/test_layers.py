"""The layers of docs/architecture.md ("Layers") hold: the import-linter contracts of
pyproject.toml, the same check `make lint` runs, here so that a test run sees a broken layer."""

from pathlib import Path

from importlinter.cli import lint_imports

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def test_no_app_imports_a_layer_above_it_and_lib_imports_no_domain_app(capsys):
    status = lint_imports(config_filename=str(PYPROJECT), no_cache=True, no_logo=True)

    assert status == 0, capsys.readouterr().out


def test_the_registries_that_replace_upward_imports_are_filled_when_django_starts():
    from rodtrad.accounts import access
    from rodtrad.intake import handover
    from rodtrad.intake.queries import same_report_children
    from rodtrad.investigation.services import open_investigation
    from rodtrad.journal import readers
    from rodtrad.journal.page_reads import record_page_read
    from rodtrad.lib import versioning
    from rodtrad.people import links

    assert readers.scope() is access
    assert handover._opener is open_investigation
    assert same_report_children in links._sources
    assert versioning._read_recorder is record_page_read
