"""The `rodtrad` command: a thin wrapper over Django's management commands.

    rodtrad demo [--no-serve]       migrate, load demo data, print users, serve on :8000
    rodtrad generate --reports N    add N reports of history to the demo database (bench)
    rodtrad serve [--bind ADDR]     serve with gunicorn (static files via whitenoise)
    rodtrad migrate                 create or upgrade the database
    rodtrad verify-journal          check the journal against its newest signed checkpoint
    rodtrad export-checkpoint       seal access events, store a signed checkpoint
    rodtrad enqueue-checkpoint      queue the daily checkpoint task (cron; docs/deployment.md)
    rodtrad create-user USERNAME --role ROLE --district CODE [--unit CODE] --password-stdin
    rodtrad import districts|population|reports FILE --by USERNAME
                                    historical import (docs/import-format.md)
    rodtrad stats reports|durations --year YEAR [--format csv|table]
                                    statistics by district (docs/statistics.md)
    rodtrad <any Django command>    e.g. rodtrad check --deploy

DATABASE_URL selects the database (default: the SQLite file under var/).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

DEFAULT_BIND = "127.0.0.1:8000"
# Commands whose Django name differs from the `rodtrad` one (`import` is a Python keyword).
ALIASES = {"import": "import_data"}


def _setup_environment() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    root = Path(__file__).resolve().parent.parent
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))


def _django(argv: list[str]) -> None:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["rodtrad", *argv])


def _serve(argv: list[str]) -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="rodtrad serve")
    parser.add_argument("--bind", default=os.environ.get("RODTRAD_BIND", DEFAULT_BIND))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("RODTRAD_WORKERS", "2")))
    args = parser.parse_args(argv)
    from gunicorn.app.wsgiapp import run

    sys.argv = [
        "gunicorn",
        "config.wsgi:application",
        "--bind",
        args.bind,
        "--workers",
        str(args.workers),
        "--access-logfile",
        "-",
        # Paths may carry ids but never personal data; query strings are not logged.
        "--access-logformat",
        '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms',
    ]
    print(f"Rodtrad körs på http://{args.bind}/  (avsluta med Ctrl+C)", flush=True)
    run()


def _demo(argv: list[str]) -> None:
    serve = "--no-serve" not in argv
    rest = [a for a in argv if a != "--no-serve"]
    bind_args: list[str] = []
    if "--bind" in rest:
        index = rest.index("--bind")
        bind_args = rest[index : index + 2]
        del rest[index : index + 2]
    os.environ["RODTRAD_DEMO"] = "1"
    _setup_environment()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("demo", *rest)
    if serve:
        _serve(bind_args)


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return
    command, rest = args[0], args[1:]
    if command == "demo":
        _demo(rest)
        return
    _setup_environment()
    if command == "serve":
        _serve(rest)
        return
    # verify-journal → verify_journal, export-checkpoint → export_checkpoint, ...
    _django([ALIASES.get(command, command.replace("-", "_")), *rest])


if __name__ == "__main__":
    main()
