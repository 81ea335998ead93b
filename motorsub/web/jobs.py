"""Batch jobs of the counter: an uploaded file computed by the local back end.

Each job lives in its own temporary folder, named by the server (the client's file name
never reaches the filesystem; only its suffix, from the accepted ones, is kept), and is
removed an hour after it was made. At most ``jobs`` run at once, each in a process of
its own that chooses plain-Python or compiled kernels by the size of its input, as the
command line does; the server's own process keeps answering quotes meanwhile.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

#: the files a job writes, by the name a client asks for them
RESULT_FILES = {"results": "results.csv", "rejects": "rejects.csv", "summary": "summary.json"}
MAX_AGE_S = 3600.0  # a job's folder is removed an hour after it was made
MAX_WAITING = 20  # jobs waiting for a free worker beyond which an upload is refused


def _progress_writer(path: Path):
    def progress(done, total):
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"done": done, "total": total}))
        os.replace(tmp, path)

    return progress


def run_job(folder: str, input_name: str, scheme_paths: list[str], lang: str = "zh") -> dict:
    """Compute one job in this (worker) process; the summary, or the error's message (in
    ``lang``, as the rejects file's messages)."""
    from motorsub import _jit, i18n
    from motorsub.cli import lean

    base = Path(folder)
    src = base / input_name
    if lean.small(src):
        _jit.run_as_python()
    lean.without_pandas()
    from motorsub.backends.local import compute_file
    from motorsub.errors import MotorsubError

    try:
        with i18n.speaking(lang):  # this worker process runs one job at a time
            summary = compute_file(
                src,
                base / RESULT_FILES["results"],
                scheme_paths or None,
                rejects_path=base / RESULT_FILES["rejects"],
                summary_path=base / RESULT_FILES["summary"],
                progress=_progress_writer(base / "progress.json"),
                lang=lang,
            )
    except MotorsubError as exc:
        return {"error": str(exc).replace(str(base) + os.sep, "")}
    except Exception as exc:  # a file no reader accepts: say so, never a traceback
        return {"error": f"the file cannot be read: {type(exc).__name__}"}
    finally:
        src.unlink(missing_ok=True)
    summary.pop("files", None)  # server paths are not the client's business
    text = json.dumps(summary, indent=2, ensure_ascii=False) + "\n"
    (base / RESULT_FILES["summary"]).write_text(text, encoding="utf-8")
    return {"summary": summary}


@dataclass
class Job:
    id: str
    folder: Path
    created: float
    future: object = None
    result: dict = field(default_factory=dict)

    def state(self) -> dict:
        """``waiting``, ``running`` (with rows done), ``done`` or ``failed``."""
        fut = self.future
        if fut is not None and fut.done():
            if not self.result:
                try:
                    self.result = fut.result()
                except Exception as exc:  # the worker died
                    self.result = {"error": f"the job stopped: {type(exc).__name__}"}
            if "error" in self.result:
                return {"status": "failed", "error": self.result["error"]}
            return {"status": "done", "summary": self.result["summary"]}
        progress = self.folder / "progress.json"
        try:
            p = json.loads(progress.read_text())
        except (OSError, ValueError):
            return {"status": "waiting" if fut is None or not fut.running() else "running"}
        return {"status": "running", **p}


class Jobs:
    """The jobs of one server: at most ``workers`` at once, folders removed after an hour."""

    def __init__(self, workers: int = 2, scheme_paths: list[str] | None = None):
        self.root = Path(tempfile.mkdtemp(prefix="motorsub-serve-"))
        self.workers = workers
        self.scheme_paths = [str(p) for p in scheme_paths or []]
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        self._stop = threading.Event()
        sweeper = threading.Thread(target=self._sweep_now_and_then, daemon=True)
        sweeper.start()

    def _sweep_now_and_then(self, every_s: float = 300.0) -> None:
        """Remove old jobs every few minutes, also when no request comes."""
        while not self._stop.wait(every_s):
            self.sweep()

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.workers, mp_context=get_context("spawn"))
        return self._pool

    def busy(self) -> bool:
        """Whether as many jobs wait as are allowed to."""
        with self._lock:
            open_jobs = sum(1 for j in self._jobs.values() if j.future and not j.future.done())
        return open_jobs >= self.workers + MAX_WAITING

    def new_folder(self) -> tuple[str, Path]:
        self.sweep()
        job_id = secrets.token_hex(12)
        folder = self.root / job_id
        folder.mkdir()
        return job_id, folder

    def submit(self, job_id: str, folder: Path, input_name: str, lang: str = "zh") -> Job:
        job = Job(job_id, folder, time.time())
        job.future = self._executor().submit(
            run_job, str(folder), input_name, self.scheme_paths, lang
        )
        with self._lock:
            self._jobs[job_id] = job
        return job

    def get(self, job_id: str) -> Job | None:
        self.sweep()
        with self._lock:
            return self._jobs.get(job_id)  # a dict lookup: an id is never a path

    def file(self, job: Job, which: str) -> Path | None:
        name = RESULT_FILES.get(which)
        if name is None or job.state()["status"] != "done":
            return None
        path = job.folder / name
        return path if path.is_file() else None

    def sweep(self, now: float | None = None) -> None:
        """Remove the jobs (and their folders) made more than an hour ago."""
        now = time.time() if now is None else now
        with self._lock:
            old = [j for j in self._jobs.values() if now - j.created > MAX_AGE_S]
            for j in old:
                del self._jobs[j.id]
        for j in old:
            shutil.rmtree(j.folder, ignore_errors=True)
        if not self.root.is_dir():
            return
        for folder in self.root.iterdir():  # uploads that never became a job
            if folder.name not in self._jobs and now - folder.stat().st_mtime > MAX_AGE_S:
                shutil.rmtree(folder, ignore_errors=True)

    def close(self) -> None:
        self._stop.set()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        shutil.rmtree(self.root, ignore_errors=True)
