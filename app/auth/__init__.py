"""Accounts, roles and offices; login and logout with server-side sessions that really end."""
from app.modules import Module

MODULE = Module(blueprints=("app.auth.views:bp",), cli=("app.auth.cli:users_cli",))
