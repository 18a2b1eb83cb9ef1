"""PersonNameWord: one folded word of a person's name per row (people/search.py), filled for
every person already stored, then its (district, word, person) index for name search's prefix seek."""

import django.db.models.deletion
from django.db import migrations, models

BATCH = 5000


def fill_name_words(apps, schema_editor):
    # The same folding as the running code: a word made by another rule would not be found.
    from rodtrad.people.search import name_words

    Person = apps.get_model("people", "Person")
    PersonNameWord = apps.get_model("people", "PersonNameWord")
    rows = []
    persons = Person.objects.order_by().values_list("pk", "district_id", "given_name", "family_name")
    for pk, district_id, given_name, family_name in persons.iterator(chunk_size=BATCH):
        rows.extend(
            PersonNameWord(person_id=pk, district_id=district_id, word=word)
            for word in name_words(given_name, family_name)
        )
        if len(rows) >= BATCH:
            PersonNameWord.objects.bulk_create(rows, batch_size=BATCH)
            rows = []
    if rows:
        PersonNameWord.objects.bulk_create(rows, batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_activation_code"),
        ("people", "0004_person_name_key"),
    ]

    operations = [
        migrations.CreateModel(
            name="PersonNameWord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("word", models.CharField(max_length=250)),
                (
                    "district",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.district",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="name_words",
                        to="people.person",
                    ),
                ),
            ],
        ),
        migrations.RunPython(fill_name_words, migrations.RunPython.noop, elidable=True),
        # After the rows: one sort builds it, instead of an insert into it per row.
        migrations.AddIndex(
            model_name="personnameword",
            index=models.Index(
                fields=["district", "word", "person"],
                name="person_name_word_prefix",
                opclasses=["int8_ops", "varchar_pattern_ops", "int8_ops"],
            ),
        ),
    ]
