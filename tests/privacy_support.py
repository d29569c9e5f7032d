"""Where an address could still be: every text-like column of every table."""

from __future__ import annotations

from sqlalchemy import JSON, String, Text, cast, func, select

from service.extensions import db


def places_holding(text: str) -> list[str]:
    """Every text-like column of every table that still contains `text` (case-insensitive)."""
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, String | Text | JSON):
                continue
            hits = db.session.scalar(
                select(func.count())
                .select_from(table)
                .where(func.lower(cast(column, Text)).like(f"%{text.lower()}%"))
            )
            if hits:
                found.append(f"{table.name}.{column.name}")
    return found
