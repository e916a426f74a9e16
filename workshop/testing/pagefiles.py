"""Stage 02's page files, for the tests of stage 02 on: a fresh folder for every test, and
where the page of a URL must be found in it (the contract with deploy/nginx.conf.template).

    from workshop.testing.pagefiles import page_files  # noqa: F401 (in a stage's conftest)
"""

from pathlib import Path

import pytest


class PageFiles:
    def __init__(self, root: Path):
        self.root = root

    def of(self, url: str) -> Path:
        """nginx looks for the page of /c/tvs/ in PAGE_FILES_DIR/c/tvs/index.html."""
        return self.root / url.strip("/") / "index.html"

    def all(self) -> set[Path]:
        """Every file in the folder, whatever its name."""
        return {p for p in self.root.rglob("*") if p.is_file()} if self.root.exists() else set()

    def written_by(self, visitor, url: str) -> set[Path]:
        """The positive control: a visit to the safe page ``url`` writes its file. A test
        that then shows what is *not* written has shown something; without it, a shop
        that writes no file at all would pass. Returns the files there are now."""
        assert visitor.get(url).status_code == 200
        assert self.of(url).exists(), (
            f"an anonymous visit to {url} wrote no page file, so this test cannot show "
            "that another request writes none: make step 1 pass first"
        )
        return self.all()


@pytest.fixture
def page_files(settings, tmp_path) -> PageFiles:
    settings.PAGE_FILES_DIR = tmp_path / "var" / "pages"
    return PageFiles(settings.PAGE_FILES_DIR)
