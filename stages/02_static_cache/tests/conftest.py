"""What stage 02's lesson tests share: a fresh page-file folder for every test, and where
the page of a URL must be found in it (workshop/testing/pagefiles.py)."""

from workshop.testing.pagefiles import page_files  # noqa: F401 (a fixture, used by name)
