"""Load test of the dashboard: N concurrent clients for T seconds, with scans running.

Loopback only, bounded in time and count. Starts a throwaway PostgreSQL and Redis, builds
the benchmark data set (many projects, 100k findings in one), runs gunicorn and a Celery
worker like docker-compose does, then hammers the pages with logged-in clients while a
scan of a real git repository is queued every few seconds. Prints throughput, p50/p95
latency and errors per page, and the ratio to a named peer measured in the same run: the
same server answering a static file (WhiteNoise), i.e. the cost of our pages over the
cheapest request this stack can serve.

    uv run python bench/load_test.py [--clients 50] [--seconds 60] [--findings 100000]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.services import PostgresServer, RedisServer, free_port  # noqa: E402


def build_dataset(findings: int, projects: int, repo: Path) -> dict[str, object]:
    """The data set of ``bench/dataset.py`` plus a logged-in session for the clients."""
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.test import Client

    from bench.dataset import build
    from reviewer.models import Project

    call_command("migrate", verbosity=0)
    data = build(projects=projects, findings=findings, repo_url=str(repo))
    client = Client()
    client.force_login(User.objects.get(username=data.username))
    return {
        "session": client.cookies["sessionid"].value,
        "big": data.big_slug,
        "projects": data.project_slugs,
        "findings": data.finding_ids,
        "deep_after": data.deep_after,
        "scan_project": Project.objects.get(slug=data.project_slugs[-1]).pk,
    }


def make_repo(path: Path) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "b",
        "GIT_AUTHOR_EMAIL": "b@example.invalid",
        "GIT_COMMITTER_NAME": "b",
        "GIT_COMMITTER_EMAIL": "b@example.invalid",
    }
    path.mkdir(parents=True)
    for i in range(200):
        (path / f"mod{i}.py").write_text(
            "import time\n\nasync def handler():\n    time.sleep(1)\n" if i % 10 == 0 else "x = 1\n"
        )
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "x"]):
        subprocess.run(["git", *args], cwd=path, env=env, check=True, capture_output=True)


def hammer(
    port: int, session: str, urls: list[tuple[str, str]], clients: int, seconds: float
) -> dict[str, list[float]]:
    results: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(seed: int) -> None:
        rng = random.Random(seed)
        conn = HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < stop:
            name, path = rng.choice(urls)
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Cookie": f"sessionid={session}"})
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                ok = False
                conn.close()
                conn = HTTPConnection("127.0.0.1", port, timeout=30)
            elapsed = time.perf_counter() - started
            with lock:
                if ok:
                    results[name].append(elapsed)
                else:
                    errors[name] += 1
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    results["__errors__"] = [float(sum(errors.values()))]
    for name, count in errors.items():
        print(f"  errors on {name}: {count}")
    return results


def report(title: str, results: dict[str, list[float]], seconds: float) -> float:
    total = sum(len(v) for k, v in results.items() if k != "__errors__")
    print(f"{title}: {total / seconds:.0f} req/s, errors {int(results['__errors__'][0])}")
    for name, times in sorted(results.items()):
        if name == "__errors__" or not times:
            continue
        times.sort()
        p95 = times[int(len(times) * 0.95) - 1] if len(times) > 1 else times[0]
        print(
            f"  {name:<16} n={len(times):6d}  p50 {statistics.median(times) * 1000:7.1f} ms"
            f"  p95 {p95 * 1000:7.1f} ms"
        )
    return total / seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--findings", type=int, default=100_000)
    parser.add_argument("--projects", type=int, default=40)
    parser.add_argument("--web-workers", type=int, default=4)
    args = parser.parse_args()

    base = Path(tempfile.mkdtemp(prefix="reviewdeck-load-"))
    pg, redis = PostgresServer().start(), RedisServer().start()
    procs: list[subprocess.Popen[bytes]] = []
    try:
        repo = base / "repo"
        make_repo(repo)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "dashboard.settings",
            "DATABASE_URL": pg.url,
            "CELERY_BROKER_URL": redis.url,
            "REVIEWDECK_DATA_DIR": str(base / "data"),
            "REVIEWDECK_WORKDIR": str(base / "work"),
            "ALLOWED_HOSTS": "127.0.0.1",
            "DEBUG": "0",
            "LOG_LEVEL": "WARNING",
        }
        os.environ.update(env)
        print(f"building the data set ({args.findings} findings) ...", flush=True)
        started = time.perf_counter()
        data = build_dataset(args.findings, args.projects, repo)
        print(f"  built in {time.perf_counter() - started:.0f} s")
        port = free_port()
        log = (base / "server.log").open("wb")
        procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "dashboard.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    str(args.web_workers),
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "dashboard", "worker", "--pool", "solo"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
        time.sleep(3)
        big = f"/projects/{data['big']}/"
        findings = data["findings"]
        assert isinstance(findings, list)
        urls = [
            ("overview", "/"),
            ("project", big),
            ("project-filter", f"{big}?severity=critical&category=asyncio"),
            ("project-deep", f"{big}?after={data['deep_after']}"),
        ] + [("finding", f"{big}findings/{pk}/") for pk in findings[:50]]
        projects = data["projects"]
        assert isinstance(projects, list)
        urls += [("other-project", f"/projects/{slug}/") for slug in projects[1:10]]

        # Scans run during the load: one queued every 2 s through the real path.
        stop_scans = threading.Event()
        queued: list[int] = []

        def scans() -> None:
            from reviewer.models import Project, Scan
            from reviewer.scanning import request_scan
            from reviewer.tasks import enqueue_scan

            project = Project.objects.get(pk=int(str(data["scan_project"])))
            while not stop_scans.wait(2):
                scan, created = request_scan(project, Scan.Trigger.MANUAL)
                if created:
                    enqueue_scan(scan)
                    queued.append(scan.pk)

        scanner = threading.Thread(target=scans)
        scanner.start()
        peer = hammer(port, str(data["session"]), [("static-peer", "/static/css/app.css")], 10, 5)
        peer_rps = report("peer: static file, 10 clients, 5 s", peer, 5)
        print(f"load: {args.clients} clients for {args.seconds:.0f} s ...", flush=True)
        results = hammer(port, str(data["session"]), urls, args.clients, args.seconds)
        stop_scans.set()
        scanner.join()
        rps = report("pages", results, args.seconds)
        from reviewer.models import Scan

        time.sleep(5)  # let the last one finish
        statuses = list(Scan.objects.filter(pk__in=queued).values_list("status", flat=True))
        print(
            f"scans queued during the load: {len(queued)}; "
            f"succeeded {statuses.count('succeeded')}, skipped (no change) "
            f"{statuses.count('skipped')}, failed {statuses.count('failed')}"
        )
        print(f"ratio pages/static-file throughput: {rps / peer_rps:.2f}")
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(20)
        redis.close()
        pg.close()


if __name__ == "__main__":
    main()
