"""Declarative base: constraint naming, UTC timestamps and string-stored enums."""

import enum
from datetime import datetime, timezone

import sqlalchemy as sa
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase, registry
from sqlalchemy.types import TypeDecorator

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
# module (which imports this package); the rest of the app uses festival.extensions.db.
db = SQLAlchemy(model_class=Base)
