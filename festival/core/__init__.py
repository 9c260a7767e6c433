"""The floor every feature stands on, which knows no feature."""
