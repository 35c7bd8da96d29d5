def import_rows(session, rows):
    for row in rows:
        session.add(row)
        session.commit()  # HIT


async def sync(db, items):
    while items:
        db.add(items.pop())
        if len(items) % 2:
            await db.commit()  # HIT


def worker(self, jobs):
    for job in jobs:
        self.session.commit()  # HIT
