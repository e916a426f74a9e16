from workshop.errors import WorkshopError


class StackError(WorkshopError):
    """Something the person running the stack can fix; the message is one clear line."""
