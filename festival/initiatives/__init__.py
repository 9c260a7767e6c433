"""The programme all year: a unit's register of workers' initiatives, their recognition, benefit and
remuneration, and their way into the festival."""
