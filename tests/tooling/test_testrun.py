"""The test runner adds up every suite's results, and a suite that tests nothing fails."""

from workshop.testrun import SuiteResult, suite_run, summary_print

PASSING = "def test_one():\n    assert True\n\ndef test_two():\n    assert True\n"
MIXED = (
    "import pytest\n\ndef test_ok():\n    pass\n\ndef test_bad():\n    assert False\n\n"
    "def test_skip():\n    pytest.skip('no service')\n"
)


def test_a_suite_counts_passes_failures_and_skips(tmp_path):
    (tmp_path / "test_mixed.py").write_text(MIXED)

    result = suite_run("mixed", [tmp_path], cwd=tmp_path)

    assert (result.passed, result.failed, result.skipped) == (1, 1, 1)
    assert not result.ok


def test_a_suite_with_no_tests_is_not_a_pass(tmp_path):
    result = suite_run("empty", [tmp_path], cwd=tmp_path)

    assert result.exit_code == 5
    assert not result.ok


def test_the_summary_adds_up_all_suites(capsys):
    results = [
        SuiteResult("a", passed=3, skipped=1),
        SuiteResult("b", passed=2, failed=1, exit_code=1),
    ]

    ok = summary_print(results)

    assert not ok
    assert "workshop: 5 passed, 1 failed, 1 skipped" in capsys.readouterr().out


def test_the_summary_is_ok_only_when_every_suite_is(tmp_path, capsys):
    (tmp_path / "test_pass.py").write_text(PASSING)

    result = suite_run("passing", [tmp_path], cwd=tmp_path)

    assert result.passed == 2 and result.ok
    assert summary_print([result])
