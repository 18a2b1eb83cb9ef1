"""People pages: search, a person's page, create and edit, relationships, protection, handlers.

Each view: parse → authorize (accounts/access.py; 404 outside scope) → call a service (through
lib.forms.handle_form) or query → render. Templates only ever get persons through
`masking.person_view`. Identity numbers and search terms travel in POST bodies, never in URLs
(S31). By topic: `search`, `detail`, `edit` (create, edit, protection), `relationships`,
`handlers`.
"""
