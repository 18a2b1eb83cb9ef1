"""Load the red thread's code lists (legal grounds with the delegation table, the intervention
catalogue, young people's open-care problem codes) into databases that already ran 0002.

The same loader as 0002: loading is idempotent, so a fresh database (where 0002 already read
these files) is unchanged by it.
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
    dependencies = [("frameworks", "0002_load_code_lists")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop, elidable=False)]
