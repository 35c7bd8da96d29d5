from pydantic.v1 import BaseModel  # HIT
from pydantic import v1 as pydantic_v1  # HIT
import pydantic.v1.fields  # HIT
