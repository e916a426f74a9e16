"""Page files on disk: which URLs may have one, where it lives, how it is written and
removed. nginx looks for the page of /c/tvs/ in PAGE_FILES_DIR/c/tvs/index.html."""

import contextlib
import os
import re
import tempfile
from pathlib import Path

from django.conf import settings

INDEX = "index.html"
# Slashes around lower-case letters, digits, "-" and "_": what the shop's slugs are made
# of, and nothing else. So no dot (no ".."), no "%" (nothing still encoded), no NUL, no
# empty segment ("//"), no upper case (which a case-insensitive disk would fold into
# another page's file), and no segment longer than a file name may be.
SAFE_PATH = re.compile(r"/(?:[a-z0-9][a-z0-9_-]{0,199}/)*")
MAX_PATH_LENGTH = 1000


def url_is_safe(url_path: str) -> bool:
    """Whether the URL is on the safe list (PAGE_FILES_SAFE_URLS): the same page for
    every visitor without a session."""
    return any(re.fullmatch(pattern, url_path) for pattern in settings.PAGE_FILES_SAFE_URLS)


def page_file_path(url_path: str) -> Path | None:
    """The file for the page at ``url_path``, or None when the path has no safe file name.

    Odd paths are refused rather than cleaned up: "/p/../" must not become the home
    page's file, so a path is used exactly as it is, or not at all.
    """
    if len(url_path) > MAX_PATH_LENGTH or not SAFE_PATH.fullmatch(url_path):
        return None
    root = Path(settings.PAGE_FILES_DIR).resolve()
    path = root / url_path.strip("/") / INDEX
    # A symlink someone planted in the folder must not lead out of it.
    if not path.resolve().is_relative_to(root):
        return None
    return path


def page_write(path: Path, content: bytes) -> None:
    """Write the page atomically: into a temporary file in the same folder, then one
    rename over the old page. A reader sees the old page or the new one, never half of
    one, even if this process dies in the middle."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(content)
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide it from nginx's workers
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def page_remove(url_path: str) -> None:
    """Remove the page file of ``url_path``; a page that has none is fine."""
    path = page_file_path(url_path)
    if path is not None:
        path.unlink(missing_ok=True)
