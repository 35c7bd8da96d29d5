from pydantic import BaseModel
from pydantic_settings import BaseSettings, SettingsConfigDict
from myapp.settings import BaseSettings as AppSettings
