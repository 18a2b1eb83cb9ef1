"""Factories for code lists and codes (the loaded lists exist in every test database too)."""

from __future__ import annotations

import factory

from rodtrad.frameworks.models import Code, CodeList


class CodeListFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CodeList
        django_get_or_create = ("key",)

    key = factory.Sequence(lambda n: f"test-list-{n}")
    name = factory.Sequence(lambda n: f"Testlista {n}")
    edition = "1"
    source = "Testdata"


class CodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Code

    code_list = factory.SubFactory(CodeListFactory)
    code = factory.Sequence(lambda n: f"kod-{n}")
    label_sv = factory.Sequence(lambda n: f"Kod {n}")
    label_en = factory.Sequence(lambda n: f"Code {n}")
