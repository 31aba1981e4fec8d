"""Password rules (ASVS 6.2.1, 6.2.4, 6.2.9): a minimum length, long passphrases accepted, and the
3,000 most common passwords refused whatever their length."""
import pytest
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from app.auth.passwords import check_password_strength, hash_password, verify_password
from app.errors import InvalidInput

TOP_3000 = FREQUENCY_LISTS["passwords"][:3000]


def test_every_one_of_the_3000_most_common_passwords_is_refused(app_ctx):
    accepted = []
    for password in TOP_3000:
        try:
            check_password_strength(password)
        except InvalidInput:
            continue
        accepted.append(password)
    assert accepted == []


@pytest.mark.parametrize("password", ["1qaz2wsx3edc", "Qwerty123456", "123QWEASDZXC"])
def test_long_common_passwords_are_refused_for_being_common(app_ctx, password):
    with pytest.raises(InvalidInput, match="mest brukte passordene") as refused:
        check_password_strength(password)
    assert refused.value.field == "password"


def test_short_passwords_are_refused_and_a_long_passphrase_is_accepted(app_ctx):
    with pytest.raises(InvalidInput, match="minst 12 tegn"):
        check_password_strength("Kort-1")
    passphrase = "Fjorden ligger stille under Hornelen en kald morgen i mars – 2026!" * 2
    assert len(passphrase) > 64
    stored = hash_password(passphrase)
    assert stored.startswith("$argon2id$") and verify_password(stored, passphrase)
