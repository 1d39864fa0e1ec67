"""The Streamlit UI's pages and state; `app.py` lays them out."""
