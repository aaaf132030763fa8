"""The cockpit (驾驶舱): live and period figures for the regulator and institution admins, aggregated in the database."""
