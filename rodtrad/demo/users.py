"""The generated demo users: one per role (two reviewers, for agreement), in Bromma unless
stated. Fictitious people only."""

from __future__ import annotations

from dataclasses import dataclass

# Shown on the console by `rodtrad demo`; never valid outside demo mode (MFA is required there).
DEMO_PASSWORD = "röd tråd i varje ärende"  # noqa: S105 - documented demo passphrase


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    title: str
    role: str
    district: str | None
    unit_kind: str | None


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser(
        "mottagning",
        "Mira",
        "Mottagare",
        "Socialsekreterare, mottagning",
        "intake_worker",
        "bromma",
        "intake",
    ),
    DemoUser(
        "utredare",
        "Ulla",
        "Utredare",
        "Socialsekreterare, utredning",
        "investigator",
        "bromma",
        "investigation",
    ),
    DemoUser(
        "utredare.farsta",
        "Frej",
        "Farstasson",
        "Socialsekreterare, utredning",
        "investigator",
        "farsta",
        "investigation",
    ),
    DemoUser("utforare", "Ufuk", "Utförare", "Familjebehandlare", "provider", "bromma", "provider"),
    DemoUser("chef", "Cecilia", "Chefsdotter", "Enhetschef", "team_manager", "bromma", None),
    DemoUser("chef.farsta", "Fanny", "Fors", "Enhetschef", "team_manager", "farsta", None),
    DemoUser("analytiker", "Anton", "Analys", "Metodutvecklare", "analyst", "bromma", None),
    DemoUser("granskare", "Greta", "Granskare", "Intern granskare", "reviewer", "bromma", None),
    # A second reviewer, so that the demo's review programmes measure agreement.
    DemoUser("granskare2", "Gustav", "Granlund", "Intern granskare", "reviewer", "farsta", None),
    DemoUser("admin", "Adam", "Administratör", "Systemförvaltare", "administrator", None, None),
)
