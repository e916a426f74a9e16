"""A server that never gets healthy: the error says which, on what port, what asking it
gave and what supervisord makes of it, so that a rare failure can be read afterwards."""

from types import SimpleNamespace

import pytest

from workshop.stack import StackError, starting


def test_a_server_that_never_answers_is_named_with_its_port_state_and_last_words(monkeypatch):
    monkeypatch.setattr(starting, "HEALTHY_WITHIN_SECONDS", 0)
    app = SimpleNamespace(
        name="app3",
        port=51234,
        health=lambda: "no answer (Connection refused)",
        last_words=lambda: "Connection in use: ('127.0.0.1', 51234) (in app3.err)",
    )
    supervisor = SimpleNamespace(processes=lambda: {"app3": {"statename": "RUNNING"}})
    stack = SimpleNamespace(supervisor=supervisor, say=lambda message: None)

    with pytest.raises(StackError) as error:
        starting._wait_healthy(stack, [app])

    assert str(error.value) == (
        "not healthy after 0 s: app3 on port 51234 (no answer (Connection refused), "
        "RUNNING): Connection in use: ('127.0.0.1', 51234) (in app3.err)"
    )
