"""Campaign intake: a spreadsheet (CSV or XLSX) becomes a campaign's clients.

sources.py  bytes -> rows (kind, encoding and delimiter detection, size limits)
headers.py  which column is CPF, which are emails
cpf.py / emails.py  one value -> normalized value or a pt-BR reason
parser.py   rows -> batches of clients + refused lines and warnings (no database)
store.py    batches -> campaign_clients (bulk inserts, COPY on PostgreSQL)
service.py  the whole import, shared by the admin form and the API
"""
