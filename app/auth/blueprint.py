"""The blueprint of the login and password pages; view modules register their routes on it."""
from flask import Blueprint

bp = Blueprint("auth", __name__)
