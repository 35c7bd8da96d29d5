"""Settings come from an INI file; the environment only says where that file is."""

import configparser
import os
from dataclasses import dataclass
from pathlib import Path

HOME_DIR = Path.home() / ".ledger"


@dataclass
class LedgerConfig:
    config_path: str = os.getenv("LEDGER_CONFIG_PATH") or str(HOME_DIR / "config")
    currency: str = "EUR"

    @classmethod
    def load(cls) -> "LedgerConfig":
        parser = configparser.ConfigParser()
        parser.read(cls.config_path)
        return cls(currency=parser.get("ledger", "currency", fallback="EUR"))
