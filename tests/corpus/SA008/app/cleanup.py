from sqlalchemy.orm import Session


def delete_orphans(db_session: Session, batches: list[list[str]]) -> int:
    processed = 0
    for batch in batches:
        try:
            delete_documents(db_session, batch)
            db_session.commit()
        except Exception as exc:
            print(f"Error deleting documents: {exc}")
            break
        processed += len(batch)
    return processed
