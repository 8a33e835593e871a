"""Bounces and the suppression list (docs/architecture.md, "Bounces and suppression").

- `suppression`: the list of addresses never sent to again, and withholding them from a claimed batch;
- `detect`: is this message a bounce (flufl.bounce), for which addresses, hard or soft, which original message;
- `imap`: reading the bounce mailbox (imaplib) and moving what was processed to Preventivo/processados;
- `record`: a bounce on its delivery (sent → bounced, counters moved) and on the suppression list;
- `poll`: the periodic job, one alert per unreachable episode.
"""
