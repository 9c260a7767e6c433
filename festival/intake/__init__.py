"""Intake where the workers are: a unit's production teams and their QR posters, the phone form a worker sends an
idea from without an account, and the unit's support-team accounts."""
