"""Decisions and the interventions they grant: the first knot of the red thread after the
investigation (docs/red-thread.md)."""
