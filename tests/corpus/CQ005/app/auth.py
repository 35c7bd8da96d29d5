import hashlib
from hashlib import md5

import jwt
from jose import jwt as jose_jwt


def hash_password(password: str) -> str:
    return hashlib.sha256(password.encode()).hexdigest()  # HIT


def legacy_check(user, raw_password: str) -> bool:
    return user.password_digest == md5(raw_password.encode()).hexdigest()  # HIT


def salted(user, salt: bytes) -> str:
    digest = hashlib.sha1()
    digest.update(salt + user.password.encode())  # HIT
    return hashlib.new("md5", user.new_pw.encode()).hexdigest()  # HIT


def current_user(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})  # HIT


def claims(token: str, key: str) -> dict:
    return jose_jwt.decode(token, key, algorithms=["none", "HS256"])  # HIT


def old_pyjwt(token: str) -> dict:
    return jwt.decode(token, verify=False)  # HIT


def user_from_token(token: str) -> tuple[str, int]:
    claims = jwt.decode(token, options={"verify_signature": False})  # HIT
    return claims["sub"], claims["exp"]
