"""Streamlit dashboards on the marts: `app.py` routes, `queries/` reads, `charts/` draws."""
