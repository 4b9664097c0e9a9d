"""Links back to the current page, without what ``url_for`` would take as its own arguments."""

from flask import request, url_for

# url_for's own keyword arguments: a query parameter of that name would be taken as one
# (?_external=1 made links absolute, ?endpoint= raised TypeError)
URL_FOR_NAMES = frozenset({"endpoint"})


def query_args(exclude=()) -> dict[str, str]:
    """The request's query parameters that may safely go back into ``url_for``: none named
    like url_for's own arguments (``endpoint``, ``_anchor``, ``_method``, ``_scheme``,
    ``_external`` or any other leading underscore), none repeating a view argument (``?kind=``
    on /review/<kind>/<id> answered 500), none in ``exclude``."""
    taken = set(request.view_args or {}) | set(exclude)
    return {key: value for key, value in request.args.items()
            if key not in URL_FOR_NAMES and not key.startswith("_") and key not in taken}


def this_page_url(**changes) -> str:
    """This page's URL with some query parameters changed (None drops one)."""
    args = query_args(exclude=changes)
    args.update({key: value for key, value in changes.items() if value is not None})
    return url_for(request.endpoint, **(request.view_args or {}), **args)
