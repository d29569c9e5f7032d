"""Bringing comments in from other systems and taking them out again (import and export)."""
