# development-only settings, never deployed
SECRET_KEY = "9f3b1c0e6d2a4b8f9e7c5a3d1b0f2e4c7a9d"
