def index() -> str:
    return "ok"
