"""Domain logic and every write. No Textual."""
