// Minimal reproduction of CPython 3.12/3.13's exit-time retention of the _asyncio module
// (see tests/sanitizers/lsan.supp). No fasterbench code: Python runs only through
// PyRun_SimpleString, on a thread of its own as in framework/python/async_loop.cpp.
//
//   PYCONFIG=/root/.pyenv/versions/3.13.0/bin/python3.13-config   # the interpreter we embed
//   cc -g -fsanitize=address tests/sanitizers/asyncio_retention_repro.c -o /tmp/asyncio_repro $($PYCONFIG --embed --cflags --ldflags)
//   /tmp/asyncio_repro sleep0     # awaits no Future: LeakSanitizer reports nothing
//   /tmp/asyncio_repro sleep1ms   # awaits one Future (asyncio.sleep(0.001)): ~40 KB in ~40 blocks
//   /tmp/asyncio_repro iter       # no loop run, one FutureIter created and freed: the same
#include <Python.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static const char* g_code;

static void* loop_thread(void* unused) {
  (void)unused;
  PyThreadState* state = PyThreadState_New(PyInterpreterState_Main());
  PyEval_RestoreThread(state);
  if (PyRun_SimpleString(g_code) != 0) fprintf(stderr, "the Python code failed\n");
  PyThreadState_Clear(state);
  PyThreadState_DeleteCurrent();
  return NULL;
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "sleep1ms";
  if (strcmp(mode, "sleep0") == 0) {
    g_code = "import asyncio\n"
             "async def handler():\n"
             "    await asyncio.sleep(0)\n"  // a bare yield: no Future is awaited
             "loop = asyncio.new_event_loop()\n"
             "loop.run_until_complete(loop.create_task(handler()))\n"
             "loop.close()\n";
  } else if (strcmp(mode, "sleep1ms") == 0) {
    g_code = "import asyncio\n"
             "async def handler():\n"
             "    await asyncio.sleep(0.001)\n"  // awaits a Future: one FutureIter
             "loop = asyncio.new_event_loop()\n"
             "loop.run_until_complete(loop.create_task(handler()))\n"
             "loop.close()\n";
  } else if (strcmp(mode, "iter") == 0) {
    g_code = "import asyncio\n"
             "loop = asyncio.new_event_loop()\n"
             "it = iter(loop.create_future())\n"
             "del it\n"  // the FutureIter goes to _asyncio's freelist
             "loop.close()\n";
  } else {
    fprintf(stderr, "usage: %s sleep0|sleep1ms|iter\n", argv[0]);
    return 2;
  }
  PyConfig config;
  PyConfig_InitIsolatedConfig(&config);
  config.install_signal_handlers = 0;
  PyStatus status = Py_InitializeFromConfig(&config);
  PyConfig_Clear(&config);
  if (PyStatus_Exception(status)) Py_ExitStatusException(status);
  PyThreadState* main_state = PyEval_SaveThread();
  pthread_t thread;
  pthread_create(&thread, NULL, loop_thread, NULL);
  pthread_join(thread, NULL);
  PyEval_RestoreThread(main_state);
  return Py_FinalizeEx() < 0 ? 1 : 0;
}
