"""Handler classification for fasterbench's optimization #1 (direct calls).

Embedded in the C++ framework (framework/classify.cpp) and executed once per interpreter as
the module ``_fasterbench_classify``; ``classify(handler)`` returns ``(kind, reason)`` with
kind one of "SYNC_FAST", "SYNC_BLOCKING", "ASYNC".

Standard library only, and it imports nothing a handler module has not imported already:
blocking APIs are recognised by identity among the modules present in ``sys.modules`` (a
handler that uses ``time.sleep`` has imported ``time``) and by module name.

How a sync callable is inspected
--------------------------------
The byte code of the function (``dis``) is walked for the names it loads: ``LOAD_GLOBAL`` /
``LOAD_NAME`` / ``LOAD_DEREF`` start a chain, ``LOAD_ATTR`` / ``LOAD_METHOD`` extend it,
``IMPORT_NAME`` / ``IMPORT_FROM`` name modules imported inside the function. Each chain is
resolved to the actual objects (module globals, closure cells, builtins; attributes statically,
without running properties), so ``from time import sleep as nap; nap(1)`` is caught because
the global ``nap`` *is* ``time.sleep``. A chain is blocking when one of its objects

* is a known blocking callable (``BLOCKING_CALLABLES``: time.sleep, open, input, os.system,
  threading waits, queue gets, ...), or
* comes from a module that does network, process or database I/O (``BLOCKING_MODULES``:
  socket, select, subprocess, urllib.request, http.client, sqlite3, requests, psycopg2, ...).
  This rule is deliberately conservative: ``socket.htons`` counts as blocking too.

``with x:`` on a lock, condition or semaphore is blocking (it acquires). Python functions of the
same module (same globals) that the handler references are followed, ``MAX_DEPTH`` calls deep,
and so are nested code objects (lambdas, inner functions, comprehensions). A sync handler that
references a coroutine function is classified ASYNC: it almost certainly returns the
coroutine (``lambda r: real_handler(r)``); the pipeline copes either way.

Limits (stated, not hidden): calls through local variables or arguments (``conn.execute``
where ``conn`` is a parameter), ``getattr`` with computed names, and functions of *other*
modules are not followed, except when they come from a blocking module. The run-time demotion
guard exists for what static inspection misses.
"""

import builtins
import dis
import functools
import inspect
import sys
import types

MAX_DEPTH = 3  # helper calls followed below the handler itself

FAST = "SYNC_FAST"
BLOCKING = "SYNC_BLOCKING"
ASYNC = "ASYNC"

# Modules whose functions and objects do blocking I/O, by name (a prefix "a.b" also covers
# "a.b.c"). Third-party drivers are matched by name only: nothing here imports them.
BLOCKING_MODULES = (
    "socket", "_socket", "ssl", "_ssl", "select", "selectors", "subprocess", "_posixsubprocess",
    "multiprocessing", "urllib.request", "http.client", "ftplib", "smtplib", "poplib",
    "imaplib", "nntplib", "telnetlib", "socketserver", "xmlrpc.client", "sqlite3", "_sqlite3",
    "dbm", "shelve", "shutil", "requests", "httpx", "urllib3", "pycurl", "psycopg2", "psycopg",
    "pymysql", "MySQLdb", "mysql.connector", "cx_Oracle", "oracledb", "pyodbc", "pymssql",
    "pymongo", "redis", "pika", "kafka", "boto3", "botocore", "paramiko", "ldap3",
    "elasticsearch", "cassandra", "memcache", "pylibmc",
)

# Blocking callables by dotted path "module:attr.attr", resolved only when the module is
# already imported. The display name is what reasons show.
BLOCKING_CALLABLES = (
    ("time:sleep", "time.sleep"),
    ("builtins:open", "open"),
    ("builtins:input", "input"),
    ("io:open", "io.open"),
    ("io:open_code", "io.open_code"),
    ("io:FileIO", "io.FileIO"),
    ("os:system", "os.system"),
    ("os:popen", "os.popen"),
    ("os:wait", "os.wait"),
    ("os:waitpid", "os.waitpid"),
    ("os:wait3", "os.wait3"),
    ("os:wait4", "os.wait4"),
    ("os:waitid", "os.waitid"),
    ("os:open", "os.open"),
    ("os:read", "os.read"),
    ("os:write", "os.write"),
    ("os:fsync", "os.fsync"),
    ("os:sendfile", "os.sendfile"),
    ("signal:pause", "signal.pause"),
    ("signal:sigwait", "signal.sigwait"),
    ("pathlib:Path.open", "pathlib.Path.open"),
    ("pathlib:Path.read_text", "pathlib.Path.read_text"),
    ("pathlib:Path.read_bytes", "pathlib.Path.read_bytes"),
    ("pathlib:Path.write_text", "pathlib.Path.write_text"),
    ("pathlib:Path.write_bytes", "pathlib.Path.write_bytes"),
    ("threading:Event.wait", "threading.Event.wait"),
    ("threading:Condition.wait", "threading.Condition.wait"),
    ("threading:Condition.wait_for", "threading.Condition.wait_for"),
    ("threading:Semaphore.acquire", "threading.Semaphore.acquire"),
    ("threading:Barrier.wait", "threading.Barrier.wait"),
    ("threading:Thread.join", "threading.Thread.join"),
    ("_thread:LockType.acquire", "threading.Lock.acquire"),
    ("_thread:RLock.acquire", "threading.RLock.acquire"),
    ("queue:Queue.get", "queue.Queue.get"),
    ("queue:Queue.put", "queue.Queue.put"),
    ("queue:Queue.join", "queue.Queue.join"),
    ("queue:SimpleQueue.get", "queue.SimpleQueue.get"),
    ("asyncio:run", "asyncio.run"),
    ("concurrent.futures:wait", "concurrent.futures.wait"),
    ("concurrent.futures:Future.result", "concurrent.futures.Future.result"),
)

# Types whose instances block in `with x:` (they acquire), by dotted path.
LOCK_TYPES = (
    ("_thread:LockType", "threading.Lock"),
    ("_thread:RLock", "threading.RLock"),
    ("threading:Condition", "threading.Condition"),
    ("threading:Semaphore", "threading.Semaphore"),
)

_MISSING = object()


def _resolve_loaded(path):
    """The object at "module:a.b" if the module is already imported, else _MISSING."""
    module_name, _, attrs = path.partition(":")
    obj = sys.modules.get(module_name, _MISSING)
    for attr in attrs.split("."):
        if obj is _MISSING:
            break
        obj = _static_attr(obj, attr)
    return obj


def _blocking_table():
    table = {}
    for path, name in BLOCKING_CALLABLES:
        obj = _resolve_loaded(path)
        if obj is not _MISSING:
            table.setdefault(id(obj), (obj, name))
    return table


def _lock_types():
    out = []
    for path, name in LOCK_TYPES:
        obj = _resolve_loaded(path)
        if isinstance(obj, type):
            out.append((obj, name))
    return out


def _static_attr(obj, attr):
    """obj.attr without running code: module dicts, class dicts, or getattr_static."""
    try:
        if isinstance(obj, types.ModuleType):
            return obj.__dict__.get(attr, _MISSING)
        return inspect.getattr_static(obj, attr)
    except Exception:  # a custom metaclass or a broken __dict__: give up on this chain
        return _MISSING


def _module_of(obj):
    """The module name an object comes from, or None."""
    if isinstance(obj, types.ModuleType):
        return obj.__name__
    owner = getattr(obj, "__objclass__", None)  # method descriptors of C types
    if owner is not None:
        return getattr(owner, "__module__", None)
    if isinstance(obj, (type, types.FunctionType, types.BuiltinFunctionType, types.MethodType,
                        functools.partial)):
        module = getattr(obj, "__module__", None)
        return module if isinstance(module, str) else None
    module = getattr(type(obj), "__module__", None)  # an instance: its class's module
    return module if isinstance(module, str) else None


def _blocking_module(module):
    if not module:
        return None
    for name in BLOCKING_MODULES:
        if module == name or module.startswith(name + "."):
            return name
    return None


def _canonical_name(obj):
    if isinstance(obj, types.ModuleType):
        return obj.__name__
    module = _module_of(obj) or "?"
    qualname = getattr(obj, "__qualname__", None) or type(obj).__qualname__
    return module + "." + qualname


def _describe(fn):
    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or repr(fn)
    return "lambda" if name.endswith("<lambda>") else name + "()"


class _Scan:
    """One classification: the tables it needs and what it found so far."""

    def __init__(self):
        self.table = _blocking_table()
        self.lock_types = _lock_types()
        self.seen = set()       # ids of functions already scanned
        self.helpers = 0        # same-module helpers followed
        self.coroutine_call = None  # reason text when a coroutine function is referenced

    def check(self, obj, text):
        """Reason text if `obj` (reached as `text` in the source) is a known blocking callable
        or comes from a blocking module, else None."""
        hit = self.table.get(id(obj))
        if hit is not None and hit[0] is obj:
            name = hit[1]
            if text == name:
                return "references " + name
            return "references " + name + (" via " if "." in text else " via alias ") + text
        module = _blocking_module(_module_of(obj))
        if module is not None:
            return "references " + text + " (module " + module + " does blocking I/O)"
        return None

    def check_chain(self, chain, globals_, depth):
        """Reason text for a finished chain [(object, source text), ...], else None.

        Known blocking callables first (most specific link first), then the blocking-module
        rule (reported with the whole chain's text), then a same-module helper at its end."""
        if not chain:
            return None
        for obj, text in reversed(chain):
            hit = self.table.get(id(obj))
            if hit is not None and hit[0] is obj:
                return self.check(obj, text)
        full_text = chain[-1][1]
        for obj, _ in reversed(chain):
            module = _blocking_module(_module_of(obj))
            if module is not None:
                return "references " + full_text + " (module " + module + " does blocking I/O)"
        return self.follow(chain[-1][0], globals_, depth)

    def scan_function(self, fn, depth, self_obj=_MISSING):
        """Reason text if `fn` (a Python function) or what it reaches blocks, else None."""
        if id(fn) in self.seen:
            return None
        self.seen.add(id(fn))
        code = fn.__code__
        closure = {}
        for name, cell in zip(code.co_freevars, fn.__closure__ or ()):
            try:
                closure[name] = cell.cell_contents
            except ValueError:  # an empty cell
                pass
        self_name = code.co_varnames[0] if self_obj is not _MISSING and code.co_argcount > 0 else None
        return self.scan_code(code, fn.__globals__, closure, self_name, self_obj, depth)

    def scan_code(self, code, globals_, closure, self_name, self_obj, depth):
        builtins_ns = globals_.get("__builtins__", builtins)
        if isinstance(builtins_ns, types.ModuleType):
            builtins_ns = builtins_ns.__dict__
        chain = []             # [(object, source text)]: "socket", then "socket.create_connection"
        import_module = None   # the module of the last IMPORT_NAME, for IMPORT_FROM
        for ins in dis.get_instructions(code):
            op = ins.opname
            if op in ("LOAD_ATTR", "LOAD_METHOD") and chain:
                obj = _static_attr(chain[-1][0], ins.argval)
                if obj is not _MISSING:
                    chain.append((obj, chain[-1][1] + "." + ins.argval))
                    continue
            reason = None
            if op in ("BEFORE_WITH", "LOAD_SPECIAL") and chain:
                for lock_type, name in self.lock_types:
                    if isinstance(chain[-1][0], lock_type):
                        reason = "acquires " + name + " " + chain[-1][1] + " in a with block"
                        break
            if reason is None:
                reason = self.check_chain(chain, globals_, depth)
            chain = []
            if reason is None:
                if op in ("LOAD_GLOBAL", "LOAD_NAME"):
                    obj = globals_.get(ins.argval, _MISSING)
                    if obj is _MISSING:
                        obj = builtins_ns.get(ins.argval, _MISSING)
                    if obj is not _MISSING:
                        chain = [(obj, ins.argval)]
                elif op in ("LOAD_DEREF", "LOAD_CLASSDEREF") and ins.argval in closure:
                    chain = [(closure[ins.argval], ins.argval)]
                elif op in ("LOAD_FAST", "LOAD_FAST_CHECK") and self_name is not None and ins.argval == self_name:
                    chain = [(self_obj, self_name)]
                elif op == "IMPORT_NAME":
                    import_module = ins.argval
                    blocking = _blocking_module(import_module)
                    if blocking is not None:
                        reason = "imports " + import_module + " (module " + blocking + " does blocking I/O)"
                elif op == "IMPORT_FROM" and import_module is not None:
                    module = sys.modules.get(import_module, _MISSING)
                    obj = _static_attr(module, ins.argval) if module is not _MISSING else _MISSING
                    if obj is not _MISSING:
                        reason = self.check(obj, import_module + "." + ins.argval)
            if reason is not None:
                return reason
        reason = self.check_chain(chain, globals_, depth)
        if reason is not None:
            return reason
        for const in code.co_consts:  # lambdas, inner functions, comprehensions (< 3.12)
            if isinstance(const, types.CodeType):
                reason = self.scan_code(const, globals_, {}, None, _MISSING, depth)
                if reason is not None:
                    return reason
        return None

    def follow(self, obj, globals_, depth):
        """Reason text if `obj` is a same-module helper (or coroutine function) that blocks."""
        if isinstance(obj, types.MethodType):
            obj = obj.__func__
        if not isinstance(obj, types.FunctionType):
            return None
        if inspect.iscoroutinefunction(obj):
            if depth == 0 and self.coroutine_call is None:
                self.coroutine_call = ("calls coroutine function " + _describe(obj) +
                                       " (a sync callable returning its coroutine)")
            return None
        if obj.__globals__ is not globals_ or depth >= MAX_DEPTH:
            return None
        self.helpers += 1
        reason = self.scan_function(obj, depth + 1)
        if reason is None:
            return None
        return "calls helper " + _describe(obj) + " which " + reason


def _unwrap(handler):
    """(function or other callable, self object or _MISSING, how it was reached)."""
    how = []
    self_obj = _MISSING
    target = handler
    for _ in range(16):
        if isinstance(target, functools.partial):
            how.append("functools.partial of ")
            target = target.func
        elif isinstance(target, types.MethodType):
            how.append("bound method ")
            self_obj = target.__self__
            target = target.__func__
        else:
            break
    return target, self_obj, "".join(how)


def classify(handler):
    """(kind, reason) for a handler callable. Never raises for odd callables."""
    target, self_obj, how = _unwrap(handler)
    if inspect.iscoroutinefunction(handler) or inspect.iscoroutinefunction(target):
        return ASYNC, how + "coroutine function " + _describe(target) + " (async def)"
    if inspect.isasyncgenfunction(target):
        return FAST, (how + "async generator function " + _describe(target) +
                      ": calling it runs none of its body (an async generator is not a valid response)")
    if inspect.isgeneratorfunction(target):
        return FAST, (how + "generator function " + _describe(target) +
                      ": calling it runs none of its body (a generator is not a valid response)")

    scan = _Scan()
    if isinstance(target, types.FunctionType):
        subject = how + _describe(target)
        reason = scan.scan_function(target, 0, self_obj)
        wrapped = getattr(target, "__wrapped__", None)  # functools.wraps decorators
        if reason is None and isinstance(wrapped, types.FunctionType):
            reason = scan.scan_function(wrapped, 0)
    elif isinstance(target, type):
        init = inspect.getattr_static(target, "__init__", None)
        subject = "class " + target.__qualname__
        reason = scan.check(target, target.__qualname__)
        if reason is None and isinstance(init, types.FunctionType):
            reason = scan.scan_function(init, 0)
    elif isinstance(inspect.getattr_static(type(target), "__call__", None), types.FunctionType):
        call = inspect.getattr_static(type(target), "__call__")
        subject = how + type(target).__qualname__ + " instance's __call__()"
        if inspect.iscoroutinefunction(call):
            return ASYNC, subject + " is a coroutine function (async def)"
        reason = scan.scan_function(call, 0, target)
    else:
        name = getattr(target, "__qualname__", None) or type(target).__qualname__
        reason = scan.check(target, _canonical_name(target))
        if reason is None:
            return FAST, how + "builtin " + name + ": no Python code to inspect"
        return BLOCKING, how + "builtin " + name + " " + reason

    if reason is not None:
        return BLOCKING, subject + " " + reason
    if scan.coroutine_call is not None:
        return ASYNC, subject + " " + scan.coroutine_call
    helpers = "" if scan.helpers == 0 else " (nor by the %d same-module helper%s it calls)" % (
        scan.helpers, "" if scan.helpers == 1 else "s")
    return FAST, subject + ": no blocking API referenced" + helpers


def classify_safely(handler):
    """classify(), with a failure of the inspection itself treated as blocking (safe side)."""
    try:
        return classify(handler)
    except Exception as e:  # noqa: BLE001 -- any failure must not stop the App from starting
        return BLOCKING, "could not inspect (%s: %s): treated as blocking" % (type(e).__name__, e)


def handler_problem(handler):
    """Why `handler` can never produce a response, or None.

    Generator functions (sync or async) are rejected at registration: calling one runs none of
    its body and returns a generator, which is not a response (streaming bodies are not part of
    this pipeline). Every request would be a 500, so the App refuses to start instead."""
    target, _, how = _unwrap(handler)
    if inspect.isasyncgenfunction(target):
        what = "an async generator function"
    elif inspect.isgeneratorfunction(target):
        what = "a generator function"
    else:
        return None
    return (how + _describe(target) + " is " + what + ": its result is not a valid response "
            "(return bytes, str, dict, list, None or (status, body))")
