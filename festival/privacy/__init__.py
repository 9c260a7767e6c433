"""Personal data: the one declaration of what is held (inventory), retention periods and the purge, breaches."""
