"""The RQ side: connection, queues, the job decorator, thin job entry points, the schedule."""
