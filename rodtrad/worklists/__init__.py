"""The worklists: the start page, "Mina frister" and the team view.

They read every phase's running deadlines, so they sit on top of the layers
(docs/architecture.md, "Layers"); the deadline rules and the registry that the phases fill
stay low, in `rodtrad/deadlines/`. The URL names keep their `deadlines:` namespace, and the
templates and tests stay in `rodtrad/deadlines/` with the deadline pages they render.
"""
