import pytest

from app.auth import services as account_services
from app.auth.models import User
from app.extensions import db


@pytest.fixture
def token_for(app):
    """token_for(user_id) → a fresh API token (the secret) for that user."""
    def make(user_id: int, days: int = 30) -> str:
        with app.app_context():
            _token, secret = account_services.create_api_token(db.session.get(User, user_id), name="Test", days=days)
            db.session.commit()
            return secret
    return make


@pytest.fixture
def api(client, token_for):
    """api(user_id) → a function calling the API with that user's bearer token."""
    def for_user(user_id: int):
        headers = {"Authorization": f"Bearer {token_for(user_id)}"}

        def call(method: str, path: str, json=None, **kwargs):
            return client.open(f"/api/v1{path}", method=method, json=json, headers=headers, **kwargs)
        return call
    return for_user
