"""The API's routers, one per resource; each route declares its permission rule beside it."""
