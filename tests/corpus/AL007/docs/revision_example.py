"""What a revision file looks like (documentation, not a versions folder)."""

revision = "abc123"
down_revision = "does_not_exist"
