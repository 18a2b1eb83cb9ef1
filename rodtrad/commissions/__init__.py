"""Commissions to the provider (uppdrag) with their goals: the red thread from the needs to
what the provider is asked to reach (docs/red-thread.md, "Commissions")."""
