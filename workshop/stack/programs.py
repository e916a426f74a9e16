"""The programs the stack runs, found on this machine, or one line saying how to get them."""

import os
import shutil

from .errors import StackError

# program: (Debian package, Homebrew formula)
PACKAGES = {
    "nginx": ("nginx", "nginx"),
    "memcached": ("memcached", "memcached"),
    "mariadbd": ("mariadb-server", "mariadb"),
    "mariadb-install-db": ("mariadb-server", "mariadb"),
    # A replica's first start copies the primary's data with them (stage 05).
    "mariadb": ("mariadb-client", "mariadb"),
    "mariadb-dump": ("mariadb-client", "mariadb"),
    "chromium": ("chromium", "--cask chromium"),  # the browser tests'
    "chromedriver": ("chromium-driver", "chromedriver"),
    # compose's (workshop doctor --compose): Docker Desktop brings the compose plugin.
    "docker": ("docker.io", "--cask docker"),
    "docker-compose": ("docker-compose", "docker-compose"),
}
# Debian keeps servers in sbin, which is not on an ordinary user's PATH; Homebrew uses
# its own prefix.
EXTRA_DIRS = ["/usr/sbin", "/usr/local/sbin", "/opt/homebrew/bin", "/opt/homebrew/sbin"]


def program_find(name: str) -> str:
    search = os.pathsep.join([os.environ.get("PATH", ""), *EXTRA_DIRS])
    path = shutil.which(name, path=search)
    if path is None:
        raise StackError(f"{name} is not installed: {install_hint(name)}.")
    return path


def install_hint(name: str) -> str:
    """The commands that install ``name`` on Debian or Ubuntu, and on macOS."""
    debian, brew = PACKAGES.get(name, (name, name))
    return f"apt-get install {debian} (macOS: brew install {brew})"
