"""Check-in at the gates: the scanner page, badge links, search, and the live dashboard."""
