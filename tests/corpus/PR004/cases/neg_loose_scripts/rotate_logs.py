"""A folder of one-off scripts: no project metadata, nothing to configure a linter for."""

import pathlib

for log in pathlib.Path("/var/log/app").glob("*.log"):
    log.rename(log.with_suffix(".log.1"))
