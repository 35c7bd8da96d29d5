def render() -> str:
    return ""
