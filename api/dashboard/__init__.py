"""The coordinator dashboard: one server-rendered page over the same views as the API."""
