"""Accounts, roles and offices; login and logout with server-side sessions that really end."""
