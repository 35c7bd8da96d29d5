def import_rows(session, rows, repo):
    for row in rows:
        session.add(row)
    session.commit()
    for commit in repo.iter_commits():
        repo.git.commit()
    for _ in range(3):

        def later():
            session.commit()

        later()
