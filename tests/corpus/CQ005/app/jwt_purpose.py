import datetime

import jwt


def token_expiry(token: str) -> datetime.datetime:
    decoded = jwt.decode(token, algorithms=["HS256"], options={"verify_signature": False})
    return datetime.datetime.fromtimestamp(decoded["exp"], tz=datetime.UTC)


def authenticate(token: str, secrets: dict[str, str]) -> dict:
    unverified = jwt.decode(token, options={"verify_signature": False})
    key = secrets[unverified["access_key"]]
    return jwt.decode(token, key, algorithms=["HS256"])


def id_token_claims(raw_id_token: str) -> dict:
    # Display-only decode: the token came straight from the IdP over TLS; no
    # authorization decision is made from these claims.
    return jwt.decode(raw_id_token, options={"verify_signature": False})
