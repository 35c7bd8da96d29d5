import sqlalchemy as sa


async def create_each(db_sess, specs):
    created, errors = [], []
    for spec in specs:
        async with db_sess.begin_nested():
            try:
                row = spec.build_row()
                db_sess.add(row)
                await db_sess.flush()
                created.append(row)
            except sa.exc.IntegrityError as e:
                errors.append(e)
    await db_sess.commit()
    return created, errors
