"""The stack tests' own tools: a run folder no other test run holds, and forms sent
with every hidden input the page gave them, as a browser sends them."""

import pytest

from workshop.forms import form_hidden_inputs
from workshop.testing import stack as testing
from workshop.testing.stack import run_dir_claim

PAGE = """
<header><form action="/accounts/logout/" method="post">
  <input type="hidden" name="csrfmiddlewaretoken" value="logout-token"><button>Log out</button>
</form></header>
<form action="/search/" method="get"><input type="hidden" name="q" value="tv"></form>
<form method="post">
  <input type="hidden" name="csrfmiddlewaretoken" value="page-token">
  <input type="hidden" name="checkout_key" value="one &amp; only">
  <input type="number" name="quantity" value="1">
  <button>Place order</button>
</form>
"""


def test_a_form_sends_every_hidden_input_of_its_own_form_only():
    hidden = form_hidden_inputs(PAGE, page_path="/checkout/", action="/checkout/")

    assert hidden == {"csrfmiddlewaretoken": "page-token", "checkout_key": "one & only"}


def test_a_form_posting_elsewhere_is_found_by_its_action():
    hidden = form_hidden_inputs(PAGE, page_path="/checkout/", action="/accounts/logout/")

    assert hidden == {"csrfmiddlewaretoken": "logout-token"}


def test_a_page_without_the_form_gives_none():
    assert form_hidden_inputs(PAGE, page_path="/checkout/", action="/search/") is None


@pytest.fixture
def run_root(tmp_path, monkeypatch):
    monkeypatch.setattr(testing, "RUN_ROOT", tmp_path)
    return tmp_path


def test_two_test_runs_of_one_stage_never_share_a_run_folder(run_root):
    """Each claim is held as another run's would be (a lock per open file)."""
    first, first_claim = run_dir_claim("01_single_instance")
    second, second_claim = run_dir_claim("01_single_instance")

    assert first == run_root / "tests" / "01_single_instance"
    assert second == run_root / "tests" / "01_single_instance.2"
    first_claim.close()
    second_claim.close()


def test_a_run_folder_is_free_again_once_its_run_ends(run_root):
    first, claim = run_dir_claim("02_static_cache")
    claim.close()

    again, claim = run_dir_claim("02_static_cache")

    assert again == first
    claim.close()
