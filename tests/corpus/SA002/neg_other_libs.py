"""Classes with attributes called Column that have nothing to do with SQLAlchemy."""

from dataclasses import dataclass

from rich.table import Column
from tortoise import fields
from tortoise.models import Model


class Ticket(Model):
    id = fields.IntField(pk=True)
    title = fields.CharField(max_length=200)


class TicketTableBase:
    pass


class TicketTable(TicketTableBase):
    # rich's Column: a column of a terminal table.
    title = Column("Title", style="bold")
    status = Column("Status", justify="right")


@dataclass
class Column2:
    name: str
