class StackError(Exception):
    """Something the person running the stack can fix; the message is one clear line."""
