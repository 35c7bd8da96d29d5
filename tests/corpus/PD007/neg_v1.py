from pydantic import BaseModel
from myapp.api import v1
from .v1 import routes
import pydantic
