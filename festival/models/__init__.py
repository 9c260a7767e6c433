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

__all__ = ["AuditLog", "Festival", "ProgrammeItem", "Region", "Role", "Unit", "User", "utcnow"]
