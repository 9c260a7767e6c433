"""The programme's targets and tallies: each unit's membership and target per year, the year's and quarter's
counts and benefit against target with rankings in the emulation groups, and the export for the
Confederation's initiative portal (Cổng sáng kiến)."""
