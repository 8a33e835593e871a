"""docs/manual.md: linked from the README, and every screenshot it shows exists."""
import re
from pathlib import Path

from app.models.campaigns import CAMPAIGN_STATUS_LABELS, DELIVERY_STATUS_LABELS
from app.reports.outcomes import BUCKET_LABELS

ROOT = Path(__file__).resolve().parents[2]
MANUAL = ROOT / "docs" / "manual.md"


def test_the_readme_links_the_manual():
    assert "(docs/manual.md)" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_screenshot_the_manual_shows_exists():
    text = MANUAL.read_text(encoding="utf-8")
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text) + re.findall(r'<img src="([^"]+)"', text)
    assert images and [i for i in images if not (MANUAL.parent / i).is_file()] == []


def test_the_manual_names_every_alert_the_code_sends():
    subjects = []
    for path in (ROOT / "app").rglob("*.py"):
        subjects += re.findall(r'send_admin_alert\("\w+", f?"([^"{]+)', path.read_text(encoding="utf-8"))
    text = MANUAL.read_text(encoding="utf-8")
    assert subjects and [s for s in subjects if s.strip().rstrip(":— ").strip() not in text] == []


def test_the_manual_explains_every_status_and_outcome():
    text = MANUAL.read_text(encoding="utf-8")
    labels = [*CAMPAIGN_STATUS_LABELS.values(), *BUCKET_LABELS.values(), *DELIVERY_STATUS_LABELS.values()]
    assert [label for label in labels if f"| {label} |" not in text and f"**{label}**" not in text] == []
