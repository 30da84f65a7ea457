"""The asyncio half of a worker's event loop (framework/python/async_loop.cpp).

Embedded in the C++ framework and executed once per interpreter as ``_fasterbench_async``.
Standard library only.

One ``WorkerLoop`` per executor worker, run by a thread of its own (``run()`` returns once the
loop was stopped and everything is finished). Requests reach it without Python: the C++ side
queues them and wakes the loop through an eventfd registered with ``add_reader``; the reader
(``drain``, C++) runs on the loop thread, calls the handlers and hands their coroutines to
``start()``. So the worker never takes the GIL for an ASYNC request, and awaits of many
requests overlap on the loop.

``done(task)`` is called exactly once per started coroutine, on the loop thread, when its task
ends (result, exception or cancellation): asyncio calls every done callback of a task once.

Shutdown (``stop()`` from ``drain``, then the end of ``run()``): requests still in flight have
callers waiting, so they get ``SHUTDOWN_GRACE_S`` to finish; then every task left (those and
any background task a handler spawned) is cancelled and awaited, async generators are closed
and the loop is closed. A cancelled request completes as a 500.
"""

import asyncio

SHUTDOWN_GRACE_S = 5.0


class WorkerLoop:
    def __init__(self, wakeup_fd, drain):
        self.loop = asyncio.new_event_loop()
        self.wakeup_fd = wakeup_fd
        self.loop.add_reader(wakeup_fd, drain)
        self.inflight = set()  # tasks of started requests

    def start(self, coro, done):
        """Loop thread. Runs `coro` (any awaitable) as a task; done(task) when it ends."""
        try:
            task = asyncio.ensure_future(coro, loop=self.loop)
        except BaseException as e:  # not awaitable after all: complete through a failed future
            task = self.loop.create_future()
            task.set_exception(e)
        self.inflight.add(task)
        task.add_done_callback(self.inflight.discard)
        task.add_done_callback(done)

    def stop(self):
        """Loop thread."""
        self.loop.stop()

    def run(self):
        """The loop thread's body."""
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_forever()
        finally:
            try:
                self.loop.remove_reader(self.wakeup_fd)
                self._finish()
            finally:
                asyncio.set_event_loop(None)
                self.loop.close()

    def _finish(self):
        loop = self.loop
        if self.inflight:
            loop.run_until_complete(asyncio.wait(list(self.inflight), timeout=SHUTDOWN_GRACE_S))
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
