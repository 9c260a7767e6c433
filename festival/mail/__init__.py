"""E-mail: the outbox organizers see, bulk sends with their progress, and the wording of each message."""
