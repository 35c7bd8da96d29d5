from pydantic import BaseSettings  # HIT
