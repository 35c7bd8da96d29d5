import os


def configure(settings, env):
    os.environ["TZ"] = "UTC"
    value = env.get("X")
    return settings.database_url, value, os.path.join("a", "b")
