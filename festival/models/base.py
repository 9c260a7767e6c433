"""Declarative base: constraint naming, UTC timestamps, string-stored enums and folded search text."""

import enum
from datetime import datetime, timezone

import sqlalchemy as sa
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import event
from sqlalchemy.orm import DeclarativeBase, Session, registry
from sqlalchemy.types import TypeDecorator

from festival.util.formatting import fold

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """A timestamp stored as naive UTC and read back timezone-aware, on SQLite and PostgreSQL alike."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware datetimes")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (the default for every timestamp column)."""
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    registry = registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={
            datetime: UTCDateTime(),
            # Enums are stored as their values in a VARCHAR: portable, and new members need no
            # ALTER TYPE on PostgreSQL.
            enum.Enum: sa.Enum(
                enum.Enum,
                native_enum=False,
                length=20,
                values_callable=lambda members: [m.value for m in members],
                validate_strings=True,
            ),
        },
    )


# Created beside the base class so models can import it without importing the extensions
# module (which imports this package); the rest of the app uses festival.core.extensions.db.
db = SQLAlchemy(model_class=Base)


@event.listens_for(Session, "before_flush")
def _refresh_search_text(session, flush_context, instances):
    """Rebuild `search_text` of every new or changed row that has one, before it is written.

    Search ignores accents and case on SQLite and PostgreSQL alike (no unaccent extension), so a
    searchable model keeps a folded copy of its `searchable_text()`. A row that feeds another's
    text (an author's name, a unit's code) names that row in `search_owners()`. Being the one
    mechanism, no service has to remember to refresh anything.
    """
    with session.no_autoflush:
        pending = []
        for row in (*session.new, *session.dirty):
            if hasattr(row, "searchable_text"):
                pending.append(row)
            if hasattr(row, "search_owners"):
                pending.extend(owner for owner in row.search_owners() if owner is not None)
        for row in pending:
            if row not in session.deleted:
                text = fold(row.searchable_text())
                if row.search_text != text:
                    row.search_text = text
