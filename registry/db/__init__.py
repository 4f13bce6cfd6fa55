"""Database layer: typed SQLAlchemy models, engine and sessions, migrations."""
