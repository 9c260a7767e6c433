"""Personal data: the one declaration of what is held (inventory), the privacy notice and consent, retention
periods and the purge, breaches."""
