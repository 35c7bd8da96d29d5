import sqlalchemy as sa


class Ticket:
    state = sa.Column(sa.Enum("open", "closed", name="ticket_state"))
