"""The gateway's HTTP views, one module per resource (the OpenAI chat route is ``_proxy``).

Every view is ``async def view(gw: Gateway, request: Request) -> Response``; :func:`create_app`
binds it to the gateway it serves.
"""
