import os

from pydantic import (  # HIT
    BaseSettings,
    PostgresDsn,
)
