import os
from pathlib import Path

# Only what every process has: no application variable to document.
CACHE_DIR = Path(os.environ.get("HOME", "/tmp")) / ".cache" / "app"
IN_CI = os.getenv("CI") == "true"
os.environ["TZ"] = "UTC"
