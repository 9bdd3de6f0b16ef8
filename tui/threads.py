"""The threads the app's workers run in: daemon threads, so that quitting never waits for one.

Textual runs a thread worker with ``loop.run_in_executor(None, ...)``. On the way out asyncio.run()
joins the default executor's threads, and concurrent.futures joins them again at interpreter
exit, so a poll or a query stuck on a slow or unreachable database would hold ctrl+q for as long
as it takes. A daemon thread is simply left behind: the database rolls back whatever transaction
it had open (every write is one transaction), so nothing half-done survives."""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor


class WorkerThreads(ThreadPoolExecutor):
    """A ThreadPoolExecutor (asyncio's default executor must be one) that starts a daemon thread
    per job and whose shutdown waits for none; ``busy()`` lists the jobs still running."""

    def __init__(self) -> None:
        super().__init__(thread_name_prefix="hoctap-worker")
        self._lock = threading.Lock()
        self._busy: set[Future] = set()

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        with self._lock:
            self._busy.add(future)

        def run() -> None:
            try:
                if future.set_running_or_notify_cancel():
                    try:
                        result = fn(*args, **kwargs)
                    except BaseException as e:  # handed to the worker, which reports it
                        future.set_exception(e)
                    else:
                        future.set_result(result)
            finally:
                with self._lock:
                    self._busy.discard(future)

        threading.Thread(target=run, name=self._thread_name_prefix, daemon=True).start()
        return future

    def busy(self) -> list[Future]:
        with self._lock:
            return list(self._busy)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Waits for nothing (see the module docstring)."""
