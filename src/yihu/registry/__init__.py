"""Registry: institutions, medical groups, departments, rooms, practitioners, credentials, patients, cards."""
