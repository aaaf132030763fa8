"""Travel time between two points of a city: great-circle distance, a detour factor for streets, an urban speed.

A pure estimate (no map service): 1 km as the crow flies is ~1.3 km of streets, ridden at ~25 km/h (electric
scooter or car in town), and any move between two different places takes at least a few minutes (parking, stairs).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

EARTH_RADIUS_KM = 6371.0088
DETOUR = 1.3
SPEED_KMH = 25.0
MIN_MINUTES = 5

Point = tuple[float, float]  # (latitude, longitude) in degrees


def distance_km(a: Point, b: Point) -> float:
    """Great-circle (haversine) distance in kilometres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def minutes(a: Point, b: Point) -> int:
    """Whole minutes from a to b: 0 at the same place, otherwise at least ``MIN_MINUTES``."""
    km = distance_km(a, b)
    if km < 0.001:  # the same address (within a metre)
        return 0
    return max(MIN_MINUTES, math.ceil(km * DETOUR / SPEED_KMH * 60))


def matrix(points: Sequence[Point]) -> list[list[int]]:
    """The square matrix of :func:`minutes` between every pair of points."""
    return [[minutes(a, b) for b in points] for a in points]
