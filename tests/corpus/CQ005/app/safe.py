import hashlib
import hmac
import os

import bcrypt
import jwt
from passlib.context import CryptContext

pwd_context = CryptContext(schemes=["argon2"], deprecated="auto")


def hash_password(password: str) -> str:
    return pwd_context.hash(password)


def hash_password_bcrypt(password: str) -> bytes:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt())


def derive(password: str, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 600_000)


def derive_scrypt(password: str) -> bytes:
    return hashlib.scrypt(password.encode(), salt=os.urandom(16), n=2**14, r=8, p=1)


def store_reset_token(password_reset_token: str) -> str:
    # a random token, not a password: a fast hash is right here
    return hashlib.sha256(password_reset_token.encode()).hexdigest()


def etag(body: bytes) -> str:
    return hashlib.md5(body, usedforsecurity=False).hexdigest()


def file_digest(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        digest.update(handle.read())
    return digest.hexdigest()


def signature(secret: bytes, payload: bytes) -> str:
    return hmac.new(secret, payload, hashlib.sha256).hexdigest()


def decode(token: str, key: str) -> dict:
    return jwt.decode(token, key, algorithms=["HS256"], options={"verify_exp": True})


def peek_kid(token: str) -> str:
    return jwt.get_unverified_header(token)["kid"]


def verified(token: str, key: str) -> dict:
    return jwt.decode(token, key, algorithms=["RS256"], options={"verify_signature": True})
