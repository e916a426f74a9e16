"""A visitor of a stack through nginx, with requests: keeps its cookies, and submits a
form with its hidden inputs as a browser does."""

import re
from urllib.parse import urlsplit

import requests

from workshop.forms import form_hidden_inputs

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Browser(requests.Session):
    """One visitor: keeps its cookies, and submits a form with its hidden inputs (the
    CSRF token, and whatever else the page put there) as a browser does."""

    def __init__(self, base_url: str):
        super().__init__()
        self.base_url = base_url

    def request(self, method, path, *args, **kwargs):
        kwargs.setdefault("allow_redirects", False)
        kwargs.setdefault("timeout", 10)
        if method.upper() == "POST":  # as browsers do; Django's CSRF check compares it
            kwargs["headers"] = {"Origin": self.base_url, **kwargs.get("headers", {})}
        return super().request(method, self.base_url + path, *args, **kwargs)

    def submit(self, path: str, data: dict, *, form_page: str | None = None):
        """POST the form that ``form_page`` (or ``path`` itself) shows for ``path``:
        its hidden inputs, then ``data``."""
        page_path = form_page or path
        page = self.get(page_path)
        hidden = form_hidden_inputs(page.text, page_path=page_path, action=urlsplit(path).path)
        assert hidden is not None, f"no form for {path} on {page_path} (HTTP {page.status_code})"
        return self.post(path, data={**hidden, **data})

    def register(self, username: str, password: str = "stack-test-pass-8841", **fields):
        data = {"username": username, "first_name": "Stack", "email": f"{username}@example.com"}
        response = self.submit(
            "/accounts/register/",
            {**data, **fields, "password1": password, "password2": password},
        )
        assert response.status_code == 302, f"registering {username}: HTTP {response.status_code}"
        return response
