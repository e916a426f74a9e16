"""Chooses, at the start of each request, the one database its catalogue reads go to,
so that one page is read from one consistent copy; and pins a visitor who wrote."""

from .pinning import ReadState, pin_set, pin_valid, read_state, replica_next
from .settings import PRIMARY

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
ADMIN_PREFIX = "/admin/"  # shop/urls.py


class ReplicaMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # exercise 05: step 2: this request's database, chosen once, for the whole request
        state = ReadState(PRIMARY if reads_primary(request) else replica_next())
        token = read_state.set(state)
        try:
            response = self.get_response(request)
        finally:
            read_state.reset(token)
        # exercise 05: end, stand-in: state, response = ReadState(PRIMARY), self.get_response(request)  # noqa: E501
        # exercise 05: step 3: a visitor who wrote reads the primary for a while
        if state.wrote:
            # The replicas may not have this write yet: this visitor reads the primary
            # for a few seconds, on whichever server they come back to.
            pin_set(response)
        # exercise 05: end
        return response


def reads_primary(request) -> bool:
    """A request that writes, the admin, and a visitor who just wrote (pinned) read the
    primary."""
    # exercise 05: step 2: a request that writes, and the admin, read the primary
    if request.method not in SAFE_METHODS or request.path.startswith(ADMIN_PREFIX):
        return True
    # exercise 05: end
    # exercise 05: step 3: and so does a visitor who holds a valid pin
    return pin_valid(request)
    # exercise 05: end, stand-in: return False
