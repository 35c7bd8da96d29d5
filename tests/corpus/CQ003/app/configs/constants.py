import os

LOCK_TIMEOUT_DEFAULT = 300
_raw = os.environ.get("LOCK_TIMEOUT")
LOCK_TIMEOUT = int(_raw) if _raw else LOCK_TIMEOUT_DEFAULT
