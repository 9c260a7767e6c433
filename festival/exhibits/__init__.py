"""Exhibit registration by units, review by organizers, import/export, posters and statistics."""
