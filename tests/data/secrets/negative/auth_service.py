"""Session and token handling for the web app (ordinary code, no secrets)."""
import hashlib
import hmac
import os
import secrets
import time
import uuid

TOKEN_TTL_SECONDS = 3600
MAX_TOKENS_PER_USER = 5
PASSWORD_MIN_LENGTH = 12
DEFAULT_KEY_ID = "primary"
SESSION_COOKIE = "sid"


class TokenStore:
    def __init__(self, db, secret_key=None):
        self.db = db
        self.secret_key = secret_key or os.environ["APP_SECRET_KEY"]
        self.tokens = {}

    def issue(self, user_id):
        token = secrets.token_urlsafe(32)
        token_id = str(uuid.uuid4())
        self.tokens[token_id] = (user_id, time.time() + TOKEN_TTL_SECONDS)
        return token_id, token

    def verify(self, token, signature):
        expected = hmac.new(self.secret_key.encode(), token.encode(), hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, signature)

    def check_password(self, user, password):
        if len(password) < PASSWORD_MIN_LENGTH:
            raise ValueError("password too short")
        digest = hashlib.pbkdf2_hmac("sha256", password.encode(), user.salt, 600_000)
        return hmac.compare_digest(digest, user.password_hash)

    def rotate(self, key=None):
        key = key or self.secret_key
        for token_id, (user_id, expires) in list(self.tokens.items()):
            if expires < time.time():
                del self.tokens[token_id]
        return key


def headers_for(token):
    return {"Authorization": f"Bearer {token}", "X-Request-Id": str(uuid.uuid4())}


EMPTY_SHA1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709"
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
EXAMPLE_UUID = "f47ac10b-58cc-4372-a567-0e02b2c3d479"
