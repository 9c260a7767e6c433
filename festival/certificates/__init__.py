"""Certificates: wording templates with a live preview, issuing, printing, revoking and correcting."""
