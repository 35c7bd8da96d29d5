from collections import defaultdict

_sessions: dict[str, int] = {}
_recent = []
_hits = defaultdict(int)
_seen = set()
_request_count = 0


def login(token: str, user_id: int) -> None:
    _sessions[token] = user_id  # HIT


def remember(item) -> None:
    if len(_recent) > 100:
        _recent.pop(0)  # HIT
    _recent.append(item)


async def count(path: str) -> None:
    global _request_count
    _request_count += 1  # HIT
    _hits[path] += 1  # HIT


def forget(token: str) -> None:
    del _sessions[token]  # HIT


class Tracker:
    def track(self, key: str) -> None:
        _seen.add(key)  # HIT


def reset() -> None:
    global _recent
    _recent = []  # HIT
