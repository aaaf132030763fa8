"""Scheduling: schedules with weekly sessions, released slots, appointments without overbooking."""
