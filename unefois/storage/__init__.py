"""Database helpers shared by the rooms (Django only, nothing else of the project)."""
