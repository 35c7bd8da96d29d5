"""Not a revision: a helper module next to the versions folder with upgrade()/downgrade()
functions of its own."""


def upgrade() -> None:
    print("upgrading the CLI")


def downgrade() -> None:
    pass
