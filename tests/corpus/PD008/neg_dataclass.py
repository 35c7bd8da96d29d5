from dataclasses import dataclass
from typing import Any


@dataclass
class Job:
    target: Any
    retries: list[Any]


class LegacyModel:
    value: Any
