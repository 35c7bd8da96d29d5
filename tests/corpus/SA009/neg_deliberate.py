"""Commits that are not one per row."""

from sqlalchemy import update


def fill(session, results, batch_size):
    batch = []
    for row in results:
        batch.append(row)
        if len(batch) >= batch_size:
            session.execute(update(Checkout), batch)
            session.commit()
            batch = []


def process_each(db_session, ids):
    for item_id in ids:
        try:
            handle(db_session, item_id)
            db_session.commit()
        except Exception:
            db_session.rollback()


def pop_first(session, keys):
    while True:
        for key in keys:
            row = session.get(Entry, key)
            if row is not None:
                session.delete(row)
                session.commit()
                return row


def cleanup_with_retries(db_session, document_ids, attempts):
    for _ in range(attempts):
        try:
            for document_id in document_ids:
                mark_document_as_modified(document_id, db_session)
            db_session.commit()
            status = "done"
            break
        except TimeoutError:
            status = "retry"
    return status
