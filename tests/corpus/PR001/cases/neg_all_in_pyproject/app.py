"""flake8 and mypy.ini are mentioned here, in a string only: [flake8] [mypy]"""
