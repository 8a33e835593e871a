"""Reports: the campaign list, a campaign's details, live progress, exports and the dashboard.

Pages read the counters kept on `Campaign` by the workers; they never recount a
campaign per request, and never run one query per row (joins and IN-loads).
"""
