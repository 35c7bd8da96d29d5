from pydantic import BaseModel, BaseSettings, Field  # HIT
