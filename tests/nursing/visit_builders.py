"""Builders for the visit tests: an order walked through the API up to the state a test needs."""

from __future__ import annotations

from typing import Any

import httpx

from tests import builders as b
from tests.nursing import builders as nb

HOME = {"latitude": nb.HOME_LAT, "longitude": nb.HOME_LON}
NEAR = {"latitude": nb.HOME_LAT + 0.001, "longitude": nb.HOME_LON}  # ~111 m north of the door
FAR = {"latitude": nb.HOME_LAT + 0.009, "longitude": nb.HOME_LON}  # ~1 km north


def nurse_h(w: nb.World, i: int = 0) -> dict[str, str]:
    return b.auth(w.nurses[i][1])


async def assigned(client: httpx.AsyncClient, w: nb.World, *, nurse: int = 0, start: str = "09:30",
                   window: tuple[str, str] = ("09:00", "11:00"), item_id: str | None = None) -> dict[str, Any]:
    r = await client.post("/api/v1/nursing/orders", json=nb.order_body(w, start=window[0], end=window[1],
                                                                       item_id=item_id),
                          headers=b.auth(w.resident))
    assert r.status_code == 201, r.text
    o = r.json()[0]
    adm = b.auth(w.admin)
    r = await client.post(f"/api/v1/nursing/orders/{o['id']}/assess", json=nb.approve_body(), headers=adm)
    assert r.status_code == 200, r.text
    r = await client.post(f"/api/v1/nursing/orders/{o['id']}/accept", headers=adm)
    assert r.status_code == 200, r.text
    r = await client.post(f"/api/v1/nursing/orders/{o['id']}/assign", headers=adm, json={
        "nurse_id": w.nurses[nurse][0].id, "start": nb.at(nb.tomorrow(), start).isoformat()})
    assert r.status_code == 200, r.text
    return dict(r.json())


def consent_body(name: str, relation: str = "self", signature: str | None = None) -> dict[str, Any]:
    return {"signer_name": name, "signer_relation": relation, "signature": signature or name}


async def consented(client: httpx.AsyncClient, w: nb.World, **kw: Any) -> dict[str, Any]:
    o = await assigned(client, w, **kw)
    r = await client.post(f"/api/v1/nursing/orders/{o['id']}/consent", json=consent_body(o["patient_name"]),
                          headers=b.auth(w.resident))
    assert r.status_code == 201, r.text
    return o


async def on_the_way(client: httpx.AsyncClient, w: nb.World, **kw: Any) -> dict[str, Any]:
    o = await consented(client, w, **kw)
    r = await client.post(f"/api/v1/nursing/orders/{o['id']}/depart", json={}, headers=nurse_h(w, kw.get("nurse", 0)))
    assert r.status_code == 200, r.text
    return o


async def in_service(client: httpx.AsyncClient, w: nb.World, **kw: Any) -> dict[str, Any]:
    o = await on_the_way(client, w, **kw)
    r = await client.post(f"/api/v1/nursing/orders/{o['id']}/check-in", json=NEAR,
                          headers=nurse_h(w, kw.get("nurse", 0)))
    assert r.status_code == 200, r.text
    return o


def record_body() -> dict[str, Any]:
    return {"vitals": {"temperature_c": 36.8, "pulse_bpm": 78, "respiration_per_min": 18, "systolic_mmhg": 132,
                       "diastolic_mmhg": 84, "spo2_percent": 97, "glucose_mmol_l": 6.4},
            "assessment": {"wound": {"site": "右小腿外侧", "size_cm": {"length": 3.0, "width": 2.0, "depth": 0.3},
                                     "exudate": "low", "granulation": "healthy", "infection_signs": []},
                           "text": "伤口边缘整齐，无异味"},
            "actions": "生理盐水清洗伤口，更换无菌敷料", "advice": "保持敷料干燥，避免剧烈活动",
            "next_visit_on": nb.tomorrow().isoformat()}


async def recorded(client: httpx.AsyncClient, w: nb.World, **kw: Any) -> dict[str, Any]:
    o = await in_service(client, w, **kw)
    r = await client.post(f"/api/v1/nursing/orders/{o['id']}/record", json=record_body(),
                          headers=nurse_h(w, kw.get("nurse", 0)))
    assert r.status_code == 201, r.text
    return o
