"""ASGI middleware, outermost first: security headers, HTTP metrics, rate and time limits, the body reader."""
