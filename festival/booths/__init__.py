"""The booth award: units' booths judged on their own rubric by their own panel, with their own prizes."""
