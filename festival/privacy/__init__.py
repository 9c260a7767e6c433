"""Personal data: what is held and why, the privacy notice, consent, retention and purge."""
