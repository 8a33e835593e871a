"""Small steps the browser journeys share: log in and out, navigate by the menu, check the layout, screenshot."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.helpers.e2e import PASSWORD
from tests.helpers.language import english_in

# The README's screenshots are refreshed on purpose (UPDATE_SCREENSHOTS=1 make test), so that an
# ordinary test run leaves the work tree clean; otherwise they go to a temporary folder.
if os.environ.get("UPDATE_SCREENSHOTS"):
    SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
else:
    SCREENSHOTS = Path(tempfile.gettempdir()) / "preventivo-screenshots"


def log_in(page: Page, email: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.get_by_role("button", name="Entrar").click()
    expect(page.locator("#user-menu")).to_be_attached()  # inside the collapsed menu on a phone


def log_out(page: Page) -> None:
    open_menu_if_collapsed(page)
    page.locator("#user-menu").click()
    page.locator("#logout-link").click()
    expect(page.get_by_role("button", name="Entrar")).to_be_visible()


def open_menu_if_collapsed(page: Page) -> None:
    toggler = page.locator(".navbar-toggler")
    if toggler.count() and toggler.first.is_visible() and toggler.first.get_attribute("aria-expanded") != "true":
        toggler.first.click()
        expect(page.locator(".navbar-collapse.show")).to_be_visible()


def go_by_menu(page: Page, category: str | None, item: str) -> None:
    """Click through the top menu as a person would (the hamburger first on a phone)."""
    page.wait_for_load_state("load")  # Bootstrap's dropdown script is attached
    open_menu_if_collapsed(page)
    nav = page.locator("nav.navbar")
    link = nav.get_by_role("link", name=item, exact=True)
    if category:
        for _ in range(3):  # a click that lands while the page settles may not open the dropdown
            nav.get_by_role("link", name=category, exact=True).click()
            try:
                link.wait_for(state="visible", timeout=2_000)
                break
            except Exception:
                continue
    link.click()
    page.wait_for_load_state("domcontentloaded")


def horizontal_overflow(page: Page) -> int:
    """How many pixels the page body is wider than the viewport (0 = fits)."""
    return page.evaluate("() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
                         " - document.documentElement.clientWidth")


WIDE_ELEMENTS = """() => {
  const width = document.documentElement.clientWidth, found = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.right > width + 1 && !(el.parentElement && el.parentElement.closest('.table-responsive'))) {
      found.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                 (el.className && el.className.baseVal === undefined ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
                 ' right=' + Math.round(r.right));
    }
  }
  return found.slice(-8);
}"""


def assert_fits(page: Page) -> None:
    overflow = horizontal_overflow(page)
    assert overflow <= 0, (f"{page.url} is {overflow}px wider than the {page.viewport_size['width']}px viewport; "
                           f"wide elements: {page.evaluate(WIDE_ELEMENTS)}")


def screenshot(page: Page, name: str, full_page: bool = False) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), type="png", scale="css", full_page=full_page, animations="disabled")
    return path


def no_english(page: Page) -> None:
    """Not one English word a person can see, outside the allowed terms (tests/helpers/language.py:
    Flask-Admin's English interface words and common UI words, minus those Portuguese shares)."""
    found = english_in(page.locator("body").inner_text())
    assert not found, f"English on {page.url}: {found}"
