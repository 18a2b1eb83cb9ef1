"""Load the code list files so that every fresh database has them (docs/principles.md rule 7).

Runs the shared loader with the historical models. Not journaled: the journal's writer needs
the live models; run `manage.py load_code_lists` afterwards for a journaled (no-op) load.
Reversing leaves the rows in place (codes are never deleted).
"""

from django.db import migrations


def load(apps, schema_editor):
    from rodtrad.frameworks.loader import apply_code_lists, read_code_list_files

    apply_code_lists(
        read_code_list_files(),
        code_list_model=apps.get_model("frameworks", "CodeList"),
        code_model=apps.get_model("frameworks", "Code"),
    )


class Migration(migrations.Migration):
    dependencies = [("frameworks", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop, elidable=False)]
