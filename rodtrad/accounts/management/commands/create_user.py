"""Create a user and the first membership from the command line (wrapped by `rodtrad create-user`).

    rodtrad create-user anna --role investigator --district bromma --password-stdin < pw.txt

The password is read from standard input, never from an argument (arguments end up in shell
history and process lists). Errors are one JSON line on stderr and exit code 2; nothing is saved.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandParser

from rodtrad.accounts import services
from rodtrad.accounts.models import District, Role, Unit
from rodtrad.lib import request_context

EXIT_USAGE = 2


class CommandFailed(Exception):
    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.payload = {"error": code, "message": message, **details}


class Command(BaseCommand):
    help = "Create a user with one role; the password is read from standard input."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, help=", ".join(Role.values))
        parser.add_argument("--district", help="district code, e.g. bromma")
        parser.add_argument("--unit", help="unit code; implies its district")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            required=True,
            help="read the password from the first line of standard input",
        )
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--title", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = self._create(options)
        except CommandFailed as failure:
            self.stderr.write(json.dumps(failure.payload, ensure_ascii=False))
            raise SystemExit(EXIT_USAGE) from None
        self.stdout.write(
            json.dumps({"created": user.username, "id": user.pk, "role": options["role"]})
        )

    def _create(self, options: dict[str, Any]) -> Any:
        role = options["role"]
        if role not in Role.values:
            raise CommandFailed(
                "unknown_role", f"Okänd roll: {role}", role=role, known=list(Role.values)
            )
        district = None
        if options["district"]:
            district = District.objects.filter(code=options["district"]).first()
            if district is None:
                raise CommandFailed(
                    "unknown_district",
                    f"Okänd stadsdel: {options['district']}",
                    district=options["district"],
                )
        unit = None
        if options["unit"]:
            unit = Unit.objects.filter(code=options["unit"]).first()
            if unit is None:
                raise CommandFailed(
                    "unknown_unit", f"Okänd enhet: {options['unit']}", unit=options["unit"]
                )
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise CommandFailed("missing_password", "Inget lösenord på standard input.")
        token = request_context.activate(request_context.RequestContext(channel="cli"))
        try:
            return services.create_user(
                by=None,
                username=options["username"],
                first_name=options["first_name"],
                last_name=options["last_name"],
                title=options["title"],
                password=password,
                role=role,
                district=district,
                unit=unit,
            )
        except ValidationError as exc:
            fields = getattr(exc, "message_dict", None) or {"__all__": exc.messages}
            raise CommandFailed("invalid", "Användaren skapades inte.", fields=fields) from None
        finally:
            request_context.deactivate(token)
