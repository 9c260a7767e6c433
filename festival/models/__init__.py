"""All models, imported here so that Alembic and the app see every table."""
from festival.models.base import utcnow
from festival.models.core import (
    AuditLog,
    Festival,
    ProgrammeItem,
    Region,
    Role,
    Unit,
    User,
)
from festival.models.exhibit import (
    MAX_ATTACHMENTS,
    MAX_AUTHORS,
    UNIT_EDITABLE,
    ApplicationScope,
    Attachment,
    Author,
    Category,
    Exhibit,
    ExhibitStatus,
)

__all__ = [
    "MAX_ATTACHMENTS",
    "MAX_AUTHORS",
    "UNIT_EDITABLE",
    "ApplicationScope",
    "Attachment",
    "AuditLog",
    "Author",
    "Category",
    "Exhibit",
    "ExhibitStatus",
    "Festival",
    "ProgrammeItem",
    "Region",
    "Role",
    "Unit",
    "User",
    "utcnow",
]
