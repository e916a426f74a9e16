class WorkshopError(Exception):
    """Something the person at the terminal can fix: ``workshop`` prints the message as
    one line, not a traceback."""
