"""motorsub on a Dask cluster: a LocalCluster it starts itself, or an existing cluster.

``--cluster local`` (one worker process per core), ``local:N`` (N processes),
``tcp://HOST:PORT`` (a running scheduler) or ``FILE.json`` (a scheduler file) name the
cluster; :func:`connect` gives a :class:`distributed.Client` on it. This package holds no
rule: its tasks call the same functions as one process (:mod:`motorsub.cluster.compute` the
per-batch :func:`motorsub.engine.batch.compute_batch`, :func:`mapper` the Monte-Carlo
kernel's blocks).

Every worker runs :class:`Warm` once when it starts (and again if it is restarted): it sets
the worker's numba threads so that worker processes × numba threads do not exceed a
machine's cores, and loads the kernels from numba's on-disk cache (``motorsub warmup``
fills it; without it each worker compiles them once). numba's default threading layer
(workqueue) must not be entered by two threads at once, so every kernel call on a worker
holds :data:`KERNELS`, one per process.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlparse

from motorsub import i18n
from motorsub.errors import InputError

try:  # the cluster extra; without it, connect() says how to install it
    from distributed.diagnostics.plugin import WorkerPlugin
except ImportError:  # pragma: no cover - the test extra installs it
    WorkerPlugin = object

#: Held by every kernel call on a worker: one at a time per process.
KERNELS = threading.Lock()
_threads: int | None = None  # this worker's numba threads, set by the Warm plugin


@contextmanager
def kernels() -> Iterator[None]:
    """Hold :data:`KERNELS` and run numba's parallel loops on this worker's share of
    the cores (numba counts its threads per calling thread, so it is set each time)."""
    with KERNELS:
        if _threads is not None:
            from motorsub import _jit

            if not _jit.python():
                import numba

                numba.set_num_threads(max(1, min(_threads, numba.config.NUMBA_NUM_THREADS)))
        yield


def worker_threads() -> int:
    """numba threads a kernel call uses on this worker (a task's view)."""
    import numba

    with kernels():
        return numba.get_num_threads()


def parse(spec: str) -> tuple[str, Any]:
    """``("local", N or None)``, ``("address", URL)`` or ``("file", path)`` of a spec.

    Raises
    ------
    InputError
        A spec of none of these forms.
    """
    spec = spec.strip()
    if spec == "local" or spec.startswith("local:"):
        count = spec.partition(":")[2]
        if not count:
            return "local", None
        if not count.isdigit() or int(count) < 1:
            _ = i18n.translator()
            raise InputError(
                _("--cluster {spec}: local:N needs a whole number N ≥ 1").format(spec=spec)
            )
        return "local", int(count)
    if "://" in spec:
        return "address", spec
    if spec.endswith(".json"):
        if not os.path.exists(spec):
            _ = i18n.translator()
            raise InputError(_("--cluster {spec}: no such scheduler file").format(spec=spec))
        return "file", spec
    _ = i18n.translator()
    raise InputError(
        _(
            "--cluster {spec}: expected local, local:N, tcp://HOST:PORT or a scheduler .json file"
        ).format(spec=spec)
    )


def numba_threads(workers_on_host: int, cores: int | None = None) -> int:
    """numba threads per worker process: the cores shared out, one at least."""
    return max(1, (cores or os.cpu_count() or 1) // max(1, workers_on_host))


def warm() -> None:
    """Run every compute kernel (with and without part load) and the Monte-Carlo kernel
    once on a few synthetic lines: loads their machine code from numba's cache."""
    import numpy as np

    from motorsub.engine.batch import run
    from motorsub.engine.synth import chunk
    from motorsub.model.profile import settings
    from motorsub.plan import montecarlo

    table = chunk(np.random.default_rng(0), 0, 64)
    for part_load in (False, True):
        run(table, savings=settings(hours=4000, load=0.75, part_load=part_load, tariff=0.8))
    montecarlo.warm()


class Warm(WorkerPlugin):
    """Worker plugin: numba's threads for this machine, then the kernels loaded, once
    per worker process. ``threads`` maps a host to the numba threads of each of its
    workers; a host not in it gets its cores shared by one worker."""

    name = "motorsub-warm"

    def __init__(self, threads: dict[str, int] | None = None):
        self.threads = dict(threads or {})

    async def setup(self, worker) -> None:
        n = self.threads.get(_host(worker.address), numba_threads(1))
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, self._warm, n)  # keep the worker's loop free

    @staticmethod
    def _warm(n: int) -> None:
        global _threads
        _threads = n
        with kernels():
            warm()


def _host(address: str) -> str:
    return urlparse(address).hostname or ""


@contextmanager
def connect(spec: str, *, dashboard: str = ":8787", quiet: bool = True) -> Iterator:
    """A :class:`distributed.Client` on the cluster ``spec`` names, its workers warmed.

    A LocalCluster is started with ``threads_per_worker=1`` and stopped on leaving. The
    worker plugin sets numba's threads with :func:`numba.set_num_threads`, not through
    ``NUMBA_NUM_THREADS``: a nanny sets the variables it passes to its workers in its own
    process too, the client's, whose numba would then refuse its own thread count.
    ``quiet`` keeps Dask's own log lines (a worker lost and restarted, ...) off the
    terminal but for errors.

    Raises
    ------
    InputError
        The spec is malformed, Dask is not installed, or the cluster cannot be reached.
    """
    kind, value = parse(spec)
    try:
        import dask
        import distributed
    except ImportError:
        _ = i18n.translator()
        raise InputError(_("--cluster needs Dask: pip install 'motorsub[cluster]'")) from None
    if quiet:
        for name in ("distributed", "bokeh", "tornado"):
            logging.getLogger(name).setLevel(logging.ERROR)
    cluster = None
    try:
        if kind == "local":
            n = value or os.cpu_count() or 1
            environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ"))
            # Dask's default makes glibc hand every freed block back at once, which made a
            # task of a million lines about a quarter slower here (numpy's fresh arrays)
            environ.pop("MALLOC_TRIM_THRESHOLD_", None)
            with dask.config.set({"distributed.nanny.pre-spawn-environ": environ}):
                with warnings.catch_warnings():  # "port 8787 in use": another is taken
                    warnings.simplefilter("ignore", UserWarning)
                    cluster = distributed.LocalCluster(
                        n_workers=n,
                        threads_per_worker=1,
                        processes=True,
                        dashboard_address=dashboard,
                        silence_logs=logging.ERROR if quiet else logging.WARNING,
                    )
            client = distributed.Client(cluster)
        elif kind == "address":
            client = distributed.Client(value, timeout="30s")
        else:
            client = distributed.Client(scheduler_file=value, timeout="30s")
    except (OSError, TimeoutError) as exc:
        if cluster is not None:
            cluster.close()
        _ = i18n.translator()
        raise InputError(
            _("--cluster {spec}: cannot reach the cluster: {error}").format(spec=spec, error=exc)
        ) from None
    try:
        cores = client.run(os.cpu_count)  # worker address → its machine's cores
        hosts = Counter(_host(a) for a in cores)
        per_host = {_host(a): numba_threads(hosts[_host(a)], c) for a, c in cores.items()}
        client.register_plugin(Warm(per_host))
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def dashboard_link(client) -> str | None:
    """The address of the scheduler's dashboard, or None if it serves none."""
    info = client.scheduler_info().get("services", {})
    return client.dashboard_link if "dashboard" in info else None


def _locked(func: Callable, *args):
    with kernels():
        return func(*args)


def mapper(client) -> Callable[[Callable, Sequence], list]:
    """``map(func, items)`` that runs ``func(item)`` as one task per item on the
    cluster, each under :data:`KERNELS`, and returns the results in order."""

    def run(func: Callable, items: Sequence) -> list:
        futures = client.map(_locked, [func] * len(items), list(items), pure=False)
        try:
            return client.gather(futures)
        except BaseException:
            client.cancel(futures)
            raise

    return run
