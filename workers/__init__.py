"""Process code only: the worker and scheduler processes (Procfile `worker`, `scheduler`) and the periodic schedule.

Job functions live beside the domain code they run (`@app.jobs.job`); nothing
under app/ imports this package.
"""
