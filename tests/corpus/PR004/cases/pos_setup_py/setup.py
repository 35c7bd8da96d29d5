from setuptools import find_packages, setup  # HIT

setup(
    name="legacy-billing",
    version="3.2.0",
    packages=find_packages(),
    install_requires=["sqlalchemy>=1.4"],
)
