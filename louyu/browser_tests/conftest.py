"""Playwright on Debian's Chromium (never a downloaded browser) against pytest-django's live
server, with a fresh test world per test, axe and CSP checks on every page visited."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from axe_playwright_python.sync_playwright import Axe

from louyu.core.tests.test_i18n import compile_catalog
from louyu.testing import PASSWORD, World, build_world

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BLOCKING_IMPACTS = {"serious", "critical"}
_axe = Axe()


def pytest_collection_modifyitems(config, items):
    """Browser tests run last: Playwright's sync API keeps an event loop running in the main
    thread until the session ends, which breaks async_to_sync in any test that follows. Under
    pytest-xdist this holds in every worker because files are handed out in collection order
    (`make test` passes --no-loadscope-reorder)."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(scope="session", autouse=True)
def _allow_orm_beside_playwright() -> Iterator[None]:
    """The ORM calls made by fixtures in the test thread are synchronous and safe, though
    Playwright's event loop runs there. Set from the first browser test (they run last) on."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A browser set up for Chinese, as the people who use Louyu have. Reduced motion turns off
    # Bootstrap's colour transitions: axe reads colours as they are at that instant, and a button
    # just clicked is halfway between its two states (a flaky contrast failure on 更多操作).
    return {
        **browser_context_args,
        "locale": "zh-CN",
        "timezone_id": "Asia/Shanghai",
        "reduced_motion": "reduce",
    }


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalog() -> None:
    compile_catalog()


@pytest.fixture
def live_world(transactional_db, live_server) -> World:
    """The shared personas, committed so the live server thread sees them."""
    return build_world()


@dataclass
class Shell:
    """A page plus the checks run on every page a test visits."""

    page: object
    base_url: str
    csp_errors: list[str] = field(default_factory=list)
    visited: list[str] = field(default_factory=list)

    def goto(self, path: str) -> None:
        self.page.goto(self.base_url + path)
        self.check()

    def check(self) -> None:
        """axe finds nothing serious or critical on the page now shown."""
        self.page.wait_for_load_state("load")
        self.visited.append(self.page.url)
        results = _axe.run(
            self.page,
            options={
                "resultTypes": ["violations"],
                "runOnly": {
                    "type": "tag",
                    "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
                },
            },
        )
        blocking = [
            f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(node["target"][0] for node in v["nodes"][:3])
            for v in results.response["violations"]
            if v.get("impact") in BLOCKING_IMPACTS
        ]
        assert not blocking, f"axe on {self.page.url}:\n" + "\n".join(blocking)

    def login(self, username: str, password: str = PASSWORD) -> None:
        self.goto("/accounts/login/")
        self.page.locator("main input[name=username]").fill(username)
        self.page.locator("main input[name=password]").fill(password)
        self.page.locator("main form button[type=submit]").click()
        self.page.wait_for_url(self.base_url + "/")
        self.check()


@pytest.fixture
def shell(page, live_server) -> Iterator[Shell]:
    shell = Shell(page=page, base_url=live_server.url)

    def on_console(message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            shell.csp_errors.append(message.text)

    page.on("console", on_console)
    yield shell
    assert not shell.csp_errors, "CSP violations:\n" + "\n".join(shell.csp_errors)
