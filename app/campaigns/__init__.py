"""Campaign lifecycle: scheduling, starting, selection, completion, the sweep."""
