"""WSGI entry point: `gunicorn wsgi:app`, and FLASK_APP for the flask CLI."""
import gc

from app import create_app
from config import config_from_environment

app = create_app(config_from_environment())
# What loading the app made lives as long as the process. Frozen, a full garbage collection no longer walks it:
# otherwise every few requests of a page that makes many objects pay one (≈ 110 ms on these machines).
gc.freeze()
