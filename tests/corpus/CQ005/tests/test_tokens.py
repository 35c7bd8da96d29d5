import hashlib

import jwt


def test_payload(make_token):
    claims = jwt.decode(make_token(), options={"verify_signature": False})
    assert claims["sub"] == "1"
    assert hashlib.md5(b"password").hexdigest()
