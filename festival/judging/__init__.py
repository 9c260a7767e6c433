"""Judging: rubrics, panels and assignment, tablet scoring, calibrated results and awards."""
