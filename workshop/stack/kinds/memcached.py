import getpass
import os
import socket

from ..ports import HOST
from ..programs import program_find
from .base import Kind

# Room for every page's data and two generations of its skeletons (stage 04's rebuild
# measured 47 MB for one): at memcached's default of 64 MB, a full rebuild evicted the very
# data it was rebuilding from, and the warm rebuild read the database again.
MEMORY_MB = 256


def memcached_argv(port: int) -> list[str]:
    """A memcached on HOST:port, as the stack and `workshop memcached` start one."""
    command = [program_find("memcached"), "-l", HOST, "-p", str(port), "-U", "0"]
    command += ["-m", str(MEMORY_MB)]
    if os.geteuid() == 0:
        # memcached refuses to run as root unless told which user to be.
        command += ["-u", getpass.getuser()]
    return command


class Memcached(Kind):
    programs = ("memcached",)
    port_offset = 11
    priority = 100

    def command(self) -> list[str]:
        return memcached_argv(self.port)

    def django_env(self) -> dict[str, str]:
        return {"CACHE_URL": f"pymemcache://{HOST}:{self.port}"}

    def health(self) -> str | None:
        try:
            with socket.create_connection((HOST, self.port), timeout=1) as sock:
                sock.sendall(b"version\r\n")
                answer = sock.recv(64)
        except OSError as error:
            return f"no answer ({error.strerror or error})"
        return None if answer.startswith(b"VERSION") else f"odd answer {answer[:20]!r}"
