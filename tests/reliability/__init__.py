"""Fault injection with real processes: worker, broker and database failures mid-burst."""
