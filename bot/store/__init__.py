"""Small stores over a SQLAlchemy sessionmaker, one per concern."""
