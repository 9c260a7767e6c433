"""Attendees and their QR-coded badges: roles, registration, import/export, automatic attendees, printing."""
