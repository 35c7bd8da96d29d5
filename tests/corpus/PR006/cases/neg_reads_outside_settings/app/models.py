class Plan:
    name: str
