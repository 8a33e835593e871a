"""Where collection hands a campaign's deliveries to sending (the sending issue fills this in)."""
from __future__ import annotations


def enqueue_sending(campaign_id: int) -> None:
    """Enqueue the send jobs for the campaign's pending deliveries."""
