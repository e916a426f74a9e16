"""A real browser for the stack tests: Debian's headless Chromium, driven by Selenium
through Debian's chromedriver. Selenium is pointed at both programs, so it never tries
to download a browser (Selenium Manager stays offline too)."""

import contextlib
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

from workshop.stack.errors import StackError
from workshop.stack.programs import program_find

from .services import require

FLAGS = [
    "--headless=new",
    # As root, Chromium starts only without its sandbox; the pages are the shop's own.
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Nothing but the shop: no updates, sync or other calls home during a test.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,1024",
]
WAIT_SECONDS = 15


def chromium_programs() -> tuple[str, str]:
    """Chromium and chromedriver; without them the test skips (fails in CI)."""
    try:
        return program_find("chromium"), program_find("chromedriver")
    except StackError as error:
        require(f"browser test: {error} It needs chromium and chromium-driver.")


def chromium_start(*, profile_dir: Path):
    """A headless Chromium with a fresh profile in ``profile_dir``."""
    chromium, chromedriver = chromium_programs()
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        require("browser test: needs selenium: pip install 'selenium>=4.20'")
    os.environ["SE_OFFLINE"] = "true"  # should anything call Selenium Manager: no download
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in [*FLAGS, f"--user-data-dir={profile_dir}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
    driver.set_page_load_timeout(WAIT_SECONDS * 2)
    return driver


class Visitor:
    """One person at a browser: opens pages, follows links, fills in and sends forms.
    Each step of a walk runs in ``step``, which keeps a screenshot and the page's HTML
    when the step fails, and says where."""

    def __init__(self, driver, *, base_url: str, log_dir: Path, name: str):
        self.driver = driver
        self.base_url = base_url
        self.log_dir = log_dir
        self.name = name

    @property
    def path(self) -> str:
        url = urlsplit(self.driver.current_url)
        return url.path + (f"?{url.query}" if url.query else "")

    @property
    def html(self) -> str:
        return self.driver.page_source

    def open(self, path: str) -> None:
        self.driver.get(self.base_url + path)

    def find(self, css: str):
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.CSS_SELECTOR, css)

    def links(self, css: str) -> list[str]:
        """The paths the links that ``css`` selects lead to."""
        from selenium.webdriver.common.by import By

        found = self.driver.find_elements(By.CSS_SELECTOR, css)
        return [urlsplit(link.get_attribute("href")).path for link in found]

    def text(self, css: str) -> str:
        return self.find(css).text.strip()

    def click(self, css: str) -> None:
        """Click and wait for the new page the click leads to, loaded."""
        self.driver.execute_script("window.oldPage = true")  # gone with this document
        self.find(css).click()
        self.wait(
            lambda d: d.execute_script(
                "return !window.oldPage && document.readyState == 'complete'"
            ),
            f"no new page after clicking {css}",
        )

    def fill(self, fields: dict) -> None:
        from selenium.webdriver.common.by import By

        for name, value in fields.items():
            field = self.driver.find_element(By.NAME, name)
            field.clear()
            field.send_keys(str(value))

    def wait(self, condition, message: str) -> None:
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.support.wait import WebDriverWait

        # Mid-navigation, a script can find no document: not yet, rather than an error.
        wait = WebDriverWait(self.driver, WAIT_SECONDS, ignored_exceptions=[WebDriverException])
        wait.until(condition, message)

    @contextlib.contextmanager
    def step(self, title: str):
        """Run a step; when it fails, keep the evidence and say where it is."""
        try:
            yield
        except Exception as error:
            saved = self.evidence_save(title)
            first_line = (str(error).strip().splitlines() or [""])[0]
            message = (
                f"{self.name}, step '{title}', on {self.where()}: "
                f"{type(error).__name__}: {first_line}\nscreenshot and page saved in {saved}"
            )
            # An assert's own report helps; a WebDriver error's is chromedriver's stack.
            raise AssertionError(message) from (
                error if isinstance(error, AssertionError) else None
            )

    def where(self) -> str:
        from selenium.common.exceptions import WebDriverException

        try:
            return f"{self.path} ({self.driver.title!r})"
        except WebDriverException:
            return "a page the browser cannot tell"

    def evidence_save(self, title: str) -> str:
        """A screenshot and the page's HTML, named after the visitor and the step."""
        from selenium.common.exceptions import WebDriverException

        stem = re.sub(r"[^a-z0-9]+", "-", f"{self.name} {title}".lower()).strip("-")
        self.log_dir.mkdir(parents=True, exist_ok=True)
        try:
            self.driver.save_screenshot(str(self.log_dir / f"{stem}.png"))
            (self.log_dir / f"{stem}.html").write_text(self.html)
        except WebDriverException as error:  # a crashed browser: its own error matters more
            return f"nowhere: the browser gave none ({type(error).__name__})"
        return f"{self.log_dir}/{stem}.png and .html"
