"""Where starting a campaign hands over to collection (the collection issue fills this in)."""
from __future__ import annotations


def begin_collection(campaign_id: int) -> None:
    """Plan the campaign's chunks and enqueue them."""
