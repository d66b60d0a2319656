"""Streamlit dashboards on the marts: `app.py` routes, `queries.py` reads, `charts.py` draws."""
