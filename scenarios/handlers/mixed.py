"""Handlers of scenarios/mixed.toml: one per kind of handler the pipeline treats differently."""

import asyncio
import time


def get_item(request):
    """A fast sync handler building a small JSON document from a path parameter."""
    item_id = int(request.path_params["id"])
    return {"id": item_id, "name": f"item-{item_id}", "price": item_id * 1.5,
            "verbose": request.query.get("verbose") == "1"}


def slow(request):
    """A blocking sync handler: sleeps 200 µs, as a handler waiting on I/O would."""
    time.sleep(0.0002)
    return b"slept"


async def async_hello(request):
    """An async handler that yields to the event loop once."""
    await asyncio.sleep(0)
    return {"async": True}
