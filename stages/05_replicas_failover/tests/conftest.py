"""What stage 03's tests share: stage 02's page-file helpers, and real app servers of the
code under test (two gunicorn processes over the test database, each with a disk of its
own), with a browser that sends each request to the next server in turn."""

import contextlib
import itertools
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

SERVER_START_SECONDS = 60


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
def anonymous():
    """A visitor of their own: the ``client`` fixture is the one customer_client logs in."""
    from django.test import Client

    return Client()


@pytest.fixture
def page_files(settings, tmp_path) -> PageFiles:
    settings.PAGE_FILES_DIR = tmp_path / "var" / "pages"
    return PageFiles(settings.PAGE_FILES_DIR)


def cart_models():
    """Stage 03's Cart and CartLine models, or a failure that says what is missing."""
    try:
        from cart.models import Cart, CartLine
    except ImportError:
        pytest.fail("no cart.models.Cart and CartLine: the cart still lives in the session")
    return Cart, CartLine


def cart_rows(**owner) -> dict[int, int]:
    """The cart lines in the database, {product id: quantity}, of carts matching ``owner``."""
    _, line = cart_models()
    lines = line.objects.filter(**{f"cart__{k}": v for k, v in owner.items()})
    return dict(lines.values_list("product_id", "quantity"))


@pytest.fixture(name="cart_rows")
def cart_rows_fixture():
    return cart_rows


@pytest.fixture
def place_order():
    """Show a test client the checkout page, then post its form with every hidden field
    it holds, as a browser does."""
    from django.urls import reverse

    def place(client):
        page = client.get(reverse("checkout")).content.decode()
        return client.post(reverse("checkout"), dict(HIDDEN_INPUT.findall(page)))

    return place


@pytest.fixture
def rows_written():
    """How many sessions, carts and cart lines the database holds: what bad input must
    leave as it was."""
    from django.contrib.sessions.models import Session

    def count() -> dict[str, int]:
        return {model.__name__: model.objects.count() for model in (Session, *cart_models())}

    return count


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite, a test database in a file rather than in memory: app servers started by
    the tests (other processes) must see what a test writes."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        path = tmp_path_factory.mktemp("db") / "test.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(path)


class AppServer:
    """One gunicorn of the code under test: a small hosting account of its own."""

    def __init__(self, name: str, home: Path, env: dict, code: Path):
        self.name, self.home = name, home
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        home.mkdir(parents=True, exist_ok=True)
        self.log = home / "gunicorn.log"
        env = dict(env, SHOP_VAR_DIR=str(home / "var"), SHOP_LOCAL_DIR=str(home / "local"))
        command = [sys.executable, "-m", "gunicorn", "shop.wsgi:application"]
        # Two threads: requests overlap inside a server too, as with the stack's workers.
        command += ["--bind", f"127.0.0.1:{self.port}", "--threads", "2", "--timeout", "60"]
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                command, env=env, cwd=code, stdout=log, stderr=subprocess.STDOUT
            )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"app server {self.name} exited:\n{self.log_tail()}", pytrace=False)
            try:
                requests.get(self.url + "/accounts/login/", timeout=5)
                return
            except requests.ConnectionError:
                time.sleep(0.2)
        pytest.fail(f"app server {self.name} did not answer:\n{self.log_tail()}", pytrace=False)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def files(self) -> list[Path]:
        """Everything this server wrote to its own disk."""
        return [p for p in self.home.rglob("*") if p.is_file() and p != self.log]


@pytest.fixture
def app_env(tmp_path) -> dict:
    """The environment of app servers of the code under test, over the test database."""
    from django.conf import settings
    from django.db import connection

    code = Path(settings.BASE_DIR)
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(filter(None, [str(code), os.environ.get("PYTHONPATH")])),
        DJANGO_SETTINGS_MODULE="shop.settings",
        DATABASE_URL=_database_url(connection.settings_dict),
        APP_SERVERS="2",
        # Stage 02's page files: one folder, shared by every server (and nginx).
        PAGE_FILES_DIR=str(tmp_path / "pages"),
        DJANGO_DEBUG="0",
    )
    env.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key")  # the same on every server
    return env


def _database_url(db: dict) -> str:
    if db["ENGINE"].endswith("sqlite3"):
        if "memory" in str(db["NAME"]):
            pytest.fail("the SQLite test database is in memory, where no app server sees it")
        return f"sqlite:///{db['NAME']}"
    user, password = quote(db["USER"] or "", safe=""), quote(db["PASSWORD"] or "", safe="")
    return (
        f"mysql://{user}:{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 3306}/{db['NAME']}"
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def app_servers(transactional_db, app_env, tmp_path) -> list[AppServer]:
    """Two app servers of the code under test over the test database: what a test writes
    through the ORM, they see, and the other way round."""
    code = Path(app_env["PYTHONPATH"].split(os.pathsep)[0])
    servers = [AppServer(f"app{n}", tmp_path / f"app{n}", app_env, code) for n in (1, 2)]
    try:
        for server in servers:
            server.wait_ready()
        yield servers
    finally:
        for server in servers:
            server.stop()


HIDDEN_INPUT = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
# The page's own form: the one without an action (the header's logout form has one).
PAGE_FORM = re.compile(r'<form method="post"(?: class="[^"]*")?>(.*?)</form>', re.DOTALL)
CART_LINE = re.compile(
    r'name="product_id" value="(\d+)">\s*<input type="number" name="quantity" value="(\d+)"'
)


class Browser:
    """One visitor (one cookie jar) whose every request goes to the next server in turn,
    as round robin would send it."""

    def __init__(self, servers: list[AppServer]):
        self.session = requests.Session()
        self.turns = itertools.cycle(servers)
        self.seen: list[str] = []  # which server answered each request

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        server = next(self.turns)
        self.seen.append(server.name)
        response = self.session.request(
            method, server.url + path, allow_redirects=False, timeout=30, **kwargs
        )
        assert response.status_code < 500, f"{server.name}: {method} {path}\n{server.log_tail()}"
        return response

    def get(self, path: str) -> requests.Response:
        return self.request("GET", path)

    def form(self, path: str, **fields) -> dict[str, str]:
        """The form of the page at ``path`` (from the next server), filled in."""
        page = self.get(path)
        assert page.status_code == 200, f"GET {path}: {page.status_code}"
        form = PAGE_FORM.search(page.text)
        assert form, f"no form on {path}"
        data = dict(HIDDEN_INPUT.findall(form.group(1)))
        return data | {name: str(value) for name, value in fields.items()}

    def submit(self, path: str, **fields) -> requests.Response:
        """Fill in the form of the page at ``path`` on one server; post it to the next."""
        return self.request("POST", path, data=self.form(path, **fields))

    def post_at_once(self, posts: list[tuple[AppServer, str, dict]]) -> list[int]:
        """Send every (server, path, form) POST at the same moment, as this visitor in
        several tabs; their status codes."""
        start, statuses = threading.Barrier(len(posts)), []

        def post(server, path, data):
            tab = requests.Session()
            tab.cookies.update(self.session.cookies)
            start.wait()
            response = tab.post(server.url + path, data=data, allow_redirects=False, timeout=30)
            statuses.append(response.status_code)

        threads = [threading.Thread(target=post, args=args) for args in posts]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        return statuses

    def cart(self) -> dict[int, int]:
        """The cart page, read as the visitor sees it: {product id: quantity}."""
        page = self.get("/cart/")
        return {int(pk): int(quantity) for pk, quantity in CART_LINE.findall(page.text)}


@pytest.fixture
def round_robin(app_servers) -> Browser:
    """One visitor, sent to app1, app2, app1, … in turn. (Not `browser`: that is the
    stack tests' visitor, through nginx.)"""
    return Browser(app_servers)


@pytest.fixture
def shopper(settings, transactional_db):
    """A customer whose password the app servers can check: they hash as in production,
    not with the fast hasher of the test process."""
    from django.conf import global_settings

    from workshop.testing.factories import CustomerFactory

    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    return CustomerFactory(first_name="Alice")


# Stage 04: the templates of pass one. A response that rendered none of them was filled
# in from a skeleton in the cache.
PAGE_TEMPLATES = {
    "storefront/home.html",
    "storefront/category.html",
    "storefront/product.html",
    "storefront/search.html",
}


def pass_one_ran(response) -> bool:
    """Whether the page was rendered afresh (pass one ran) for this response."""
    return any(template.name in PAGE_TEMPLATES for template in response.templates)


def page_from_cache(client, url: str, **extra):
    """The page at ``url`` for ``client``, asked for twice: the second answer, which must
    come from a skeleton in the cache (the positive control of every stage 04 test: a
    page rendered afresh for this visitor, as stage 03 renders one for anybody with a
    session, proves nothing about the cache)."""
    assert client.get(url, **extra).status_code == 200
    response = client.get(url, **extra)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    assert not pass_one_ran(response), (
        f"{url} was rendered afresh for a visitor who has a session: its skeleton should "
        "have come from the cache, with only the visitor's parts filled in"
    )
    return response


@pytest.fixture
def from_cache():
    return page_from_cache


@pytest.fixture
def rendered_afresh():
    return pass_one_ran


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed():`` runs what the block's writes left for on_commit, as a request's
    commit would: stage 04's version bumps."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def customer_with_cart(client, customer):
    """Alice, logged in, with 2 of a product in her cart."""
    from workshop.testing.factories import ProductFactory

    client.force_login(customer)
    product = ProductFactory(name="Kaito Cart Item", stock=20)
    response = client.post(f"/cart/add/{product.pk}/", {"product_id": product.pk, "quantity": 2})
    assert response.status_code == 302, "the cart addition failed"
    return client


@pytest.fixture
def customer_client_of():
    """A logged-in test client for ``user``."""
    from django.test import Client

    def client_of(user, **kwargs):
        client = Client(**kwargs)
        client.force_login(user)
        return client

    return client_of


# Stage 05: the replicas.


def replicas_part(name: str):
    """A module of the stage's replicas/ package, or a failure that says what is missing."""
    import importlib

    try:
        return importlib.import_module(f"replicas.{name}")
    except ImportError as error:
        pytest.fail(f"no replicas/{name.replace('.', '/')}.py ({error}): the lesson's code")


@pytest.fixture(name="replicas_part")
def replicas_part_fixture():
    return replicas_part


@pytest.fixture
def replica_aliases(settings) -> list[str]:
    """The aliases of settings.DATABASES other than the primary ("default")."""
    aliases = [alias for alias in settings.DATABASES if alias != "default"]
    assert len(aliases) >= 2, (
        f"settings.DATABASES has {sorted(settings.DATABASES)}: with no replica URL, two "
        "aliases (replica1, replica2) should stand for the replicas (step 1)"
    )
    return aliases


CATALOGUE_TABLES = ("catalogue_product", "catalogue_category", "catalogue_review")


class Reads:
    """The SQL each database alias ran in this thread, while recording."""

    def __init__(self, aliases):
        self.aliases, self.sql = list(aliases), {alias: [] for alias in aliases}

    def __enter__(self):
        from contextlib import ExitStack

        from django.db import connections

        self._stack = ExitStack()
        for alias in self.aliases:
            self._stack.enter_context(connections[alias].execute_wrapper(self._record(alias)))
        return self

    def __exit__(self, *exc):
        self._stack.close()

    def _record(self, alias):
        def wrapper(execute, sql, params, many, context):
            self.sql[alias].append(sql)
            return execute(sql, params, many, context)

        return wrapper

    def catalogue(self, alias) -> list[str]:
        """The statements of ``alias`` that read the catalogue's tables."""
        return [s for s in self.sql[alias] if any(t in s for t in CATALOGUE_TABLES)]

    def catalogue_aliases(self) -> set[str]:
        return {alias for alias in self.aliases if self.catalogue(alias)}

    def replicas_used(self) -> set[str]:
        return {alias for alias in self.aliases if alias != "default" and self.sql[alias]}


@pytest.fixture
def reads(settings):
    """Reads(aliases) as a context manager: which alias ran which statement."""
    return lambda: Reads(settings.DATABASES)


class TcpProxy:
    """A stand-in replica on a port of its own, in front of the test database: it forwards
    (a live replica), refuses (closed: a dead one), or cuts every open connection (a
    replica that dies under a query). It counts the connections it accepted."""

    def __init__(self, target: tuple[str, int]):
        # ``target`` may be a closed port: the proxy then accepts and hangs up at once.
        self.target, self.port = target, _free_port()
        self.accepted, self._listener, self._open = 0, None, []
        self._released = threading.Event()
        self._released.set()

    def start(self) -> "TcpProxy":
        self._listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._serve, args=(self._listener,), daemon=True).start()
        return self

    def hold(self) -> None:
        """Connections are accepted (and counted), and wait to be forwarded until
        release(): a replica slow to answer, so that a test sees who else comes meanwhile."""
        self._released.clear()

    def release(self) -> None:
        self._released.set()

    def _serve(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # closed
            self.accepted += 1
            threading.Thread(target=self._forward, args=(client,), daemon=True).start()

    def _forward(self, client):
        self._released.wait()
        try:
            server = socket.create_connection(self.target)
        except OSError:  # a proxy in front of nothing: it accepts, then hangs up
            client.close()
            return
        self._open += [client, server]
        for a, b in ((client, server), (server, client)):
            threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        """Every open connection dies, as when the replica's process is killed."""
        for end in self._open:
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
                end.close()
        self._open = []

    def stop(self) -> None:
        """Nothing listens any more: a connection is refused."""
        if self._listener:
            self._listener.close()
            self._listener = None
        self.cut()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"


@pytest.fixture
def proxies(mariadb):
    """proxies() makes a TcpProxy in front of the test database, stopped after the test."""
    made = []
    db = mariadb.settings_dict
    target = (db["HOST"] or "127.0.0.1", int(db["PORT"] or 3306))

    def make(to=None) -> TcpProxy:
        made.append(TcpProxy(to or target))
        return made[-1]

    yield make
    for proxy in made:
        proxy.stop()


@pytest.fixture
def replica_connection(mariadb, settings):
    """replica_connection(servers) is the stage's replica backend (replicas.backend) for an
    alias whose SERVERS are ``servers``: (name, "host:port") pairs, the last the primary."""
    base = replicas_part("backend.base")
    made = []

    def connect(servers):
        db = mariadb.settings_dict
        entries = []
        for name, address in servers:
            host, port = address.split(":")
            entries.append(
                {"name": name, "HOST": host, "PORT": port, "USER": db["USER"],
                 "PASSWORD": db["PASSWORD"], "NAME": db["NAME"]}
            )  # fmt: skip
        settings_dict = {**db, "ENGINE": "replicas.backend", "SERVERS": entries}
        settings_dict.update({k: entries[0][k] for k in ("HOST", "PORT")})
        made.append(base.DatabaseWrapper(settings_dict, alias=f"replica-under-test-{len(made)}"))
        return made[-1]

    yield connect
    for connection in made:
        connection.close()


@pytest.fixture
def primary_address(mariadb) -> str:
    db = mariadb.settings_dict
    return f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 3306}"


def closed_port() -> str:
    """An address where nothing listens: a connection is refused at once."""
    return f"127.0.0.1:{_free_port()}"


@pytest.fixture(name="closed_port")
def closed_port_fixture():
    return closed_port


@pytest.fixture
def database_url():
    """The test database's URL, for a process of the code under test."""
    from django.db import connection

    return _database_url(connection.settings_dict)


@pytest.fixture
def shop_start(tmp_path):
    """shop_start(script, **environment) runs ``script`` in a new process of the code
    under test, with the stage's settings and the given environment (None: unset), as an
    app server starts; its CompletedProcess."""
    from django.conf import settings

    code = Path(settings.BASE_DIR)

    def start(script: str, **environment):
        env = dict(
            os.environ,
            PYTHONPATH=os.pathsep.join(filter(None, [str(code), os.environ.get("PYTHONPATH")])),
            DJANGO_SETTINGS_MODULE="shop.settings",
            SHOP_VAR_DIR=str(tmp_path / "var"),
            DJANGO_SECRET_KEY="test-only-secret-key",
        )
        for name, value in environment.items():
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value
        return subprocess.run(
            [sys.executable, "-c", script], env=env, cwd=code, capture_output=True, text=True,
            timeout=60,
        )  # fmt: skip

    return start


@pytest.fixture(autouse=True)
def replica_marks_of_this_process_forgotten():
    """Each test starts with no replica marked dead or lagging in this process (the
    replicas/ package keeps both per process too, beside the shared cache)."""
    yield
    for module, marks in (("replicas.health", "_dead_here"), ("replicas.freshness", "_verdicts")):
        getattr(sys.modules.get(module), marks, {}).clear()
