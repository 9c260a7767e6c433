"""The organizers' console: festival settings, member units, accounts and the audit log."""
