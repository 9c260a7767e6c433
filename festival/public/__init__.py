"""Public pages: the festival's home page, the language switch and the health check."""
