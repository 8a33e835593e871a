"""The product started as `make run` starts it, and a headless Debian Chromium driven by Playwright.

One product for the package (about 20 s to start; stopped when the e2e tests end); one browser context per test.
Never downloads a browser: Chromium comes from apt (/usr/bin/chromium).
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers.e2e import Product

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}
TIMEOUT_MS = 15_000  # any single wait for an element or a page


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="package")
def product():
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: `apt-get install -y chromium` (.ci/run does it); never a browser download"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI installs it: a missing browser there is a broken pipeline
        # A newcomer's `make test` needs nothing but Python: say what is not run, and why.
        pytest.skip(message)
    running = Product()
    try:
        running.start()
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="package")
def scheduled_campaign(product) -> int:
    """A SEM PARAR campaign scheduled for next week (it stays Agendada): pages that need a campaign."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from tests.helpers.e2e import sandbox_cpfs

    moment = datetime.now(ZoneInfo("America/Sao_Paulo")).replace(hour=8, minute=0, second=0, microsecond=0)
    moment += timedelta(days=7)
    good, _ = sandbox_cpfs(moment.date(), with_boletos=2, without_agreement=0)
    rows = "CPF;EMAIL\n" + "".join(f"{cpf};agendada{i}@exemplo.com.br\n" for i, cpf in enumerate(good))
    return product.create_campaign("SEMPARAR", "SEM PARAR FASE 1", rows, moment.isoformat())["id"]


@pytest.fixture(scope="package")
def browser(product):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.e2e_failed = report.failed


def _keep_evidence(request, page, product) -> None:
    """On failure: a screenshot and the product's log tail, named in the test's output."""
    if not getattr(request.node, "e2e_failed", False):
        return
    product.keep_files = True
    shot = product.tmp / f"failure-{request.node.name}.png"
    try:
        page.screenshot(path=str(shot), full_page=True)
        print(f"\nfailure screenshot: {shot} (page {page.url})")
    except Exception as exc:  # the page may be gone
        print(f"\nno failure screenshot: {exc}")
    print(f"product log tail:\n{product.log_tail(40)}")


def _watch_csp(page) -> list[str]:
    """What the browser refused under the Content-Security-Policy (the journeys must cause none)."""
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)
    return refused


def _no_csp_violation(request, refused: list[str]) -> None:
    if refused and not getattr(request.node, "e2e_failed", False):
        pytest.fail(f"the page broke the Content-Security-Policy: {refused[:3]}")


def _context(browser, product, viewport, **options):
    context = browser.new_context(base_url=product.url, viewport=viewport, locale="pt-BR",
                                  timezone_id="America/Sao_Paulo", accept_downloads=True, **options)
    context.set_default_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def desktop(browser, product, request):
    context = _context(browser, product, DESKTOP)
    page = context.new_page()
    refused = _watch_csp(page)
    try:
        yield page
    finally:
        _keep_evidence(request, page, product)
        context.close()
    _no_csp_violation(request, refused)


@pytest.fixture
def second_desktop(browser, product, request):
    """Another person's browser (its own cookies), at a desktop's width."""
    context = _context(browser, product, DESKTOP)
    page = context.new_page()
    refused = _watch_csp(page)
    try:
        yield page
    finally:
        _keep_evidence(request, page, product)
        context.close()
    _no_csp_violation(request, refused)


@pytest.fixture
def phone(browser, product, request):
    context = _context(browser, product, PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    page = context.new_page()
    refused = _watch_csp(page)
    try:
        yield page
    finally:
        _keep_evidence(request, page, product)
        context.close()
    _no_csp_violation(request, refused)
