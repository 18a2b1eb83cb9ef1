"""Intake pages: register a report, the intake queue, protection assessment, pre-assessment.

Each view: parse → authorize (accounts/access.py; 404 outside scope, 403 for a role that may
never use an object-less page) → call a service (through lib.forms.handle_form) → render.
Identity numbers travel in POST bodies only (S31). By topic: `queue`, `reports`,
`protection`, `pre_assessment`.
"""
