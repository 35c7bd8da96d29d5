import shutil

shutil.copy("db.sqlite3", "db.sqlite3.bak")
