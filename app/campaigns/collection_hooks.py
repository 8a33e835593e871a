"""Where starting a campaign hands over to collection."""
from __future__ import annotations


def begin_collection(campaign_id: int) -> None:
    """Plan the campaign's chunks and enqueue them."""
    from app.campaigns.collection import begin_collection as begin

    begin(campaign_id)
