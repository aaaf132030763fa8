"""Booking on the phone pages and schedules on the institution console, through the built web app: a resident
finds a doctor and books a slot for a family member, pays it in the sandbox cashier, sees it in 我的预约 and cancels
it; an exam shows its preparation; a taken slot shows the server's message; a full day offers the waitlist; an
institution admin creates a schedule and stops a session, and the patient's booking shows as stopped."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import pyotp
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func, select

from tests import builders as b
from tests.browser.conftest import fill, in_thread, open_page, serving, shot
from yihu.billing import sandbox
from yihu.config import get_settings
from yihu.db import Database
from yihu.kit import clock
from yihu.registry import cards, directory
from yihu.scheduling import booking, schedules
from yihu.scheduling.models import Slot

pytestmark = [pytest.mark.browser, pytest.mark.live]

HOSPITAL = "嘉兴市第一医院"
CENTRE = "秀洲区新城社区卫生服务中心"
PREPARATION = "检查前8小时禁食，携带既往影像资料。"


@dataclass(frozen=True)
class Site:
    url: str
    db_url: str
    family_phone: str  # 张三明, with his wife 李秀英 bound
    taker_phone: str  # 赵建国, who meets a taken slot and a full day
    stopped_phone: str  # 孙悦, booked on the session the admin stops
    admin_phone: str
    admin_secret: str
    taken_schedule: str
    taken_patient: str
    stop_schedule: str
    create_doctor: str


def local_day(days_ahead: int) -> date:
    return clock.local_date(clock.now()) + timedelta(days=days_ahead)


async def _resident(s: object, name: str, born: date, card: str, *, female: bool = False) -> tuple[str, object]:
    idn = b.id_number(born, female=female)
    phone = b.phone()
    acc = await b.resident(s, name=name, id_no=idn, phone_number=phone)  # type: ignore[arg-type]
    await cards.bind(s, account_id=acc.id, holder_patient_id=acc.patient_id,  # type: ignore[arg-type]
                     req=cards.BindRequest(card_type="insurance", card_number=card, relation="self", name=name,
                                           id_number=idn))
    return phone, acc


async def _book(s: object, schedule_id: str, index: int, patient_id: str, account_id: str) -> None:
    slot = (await s.scalars(select(Slot).where(Slot.schedule_id == schedule_id)  # type: ignore[attr-defined]
                            .order_by(Slot.start_at).offset(index).limit(1))).one()
    await booking.book(s, booking.BookingRequest(slot_id=slot.id, patient_id=patient_id,  # type: ignore[arg-type]
                                                 account_id=account_id))


async def _exam_schedule(s: object, inst: object) -> None:
    room = await directory.create_room(s, inst.id, code="CT-1", name="CT室一", kind="ct")  # type: ignore[arg-type,attr-defined]
    day = local_day(3)
    sched = await schedules.create(s, inst.id, schedules.ScheduleInput(  # type: ignore[arg-type,attr-defined]
        kind="exam", name="胸部CT平扫", fee_fen=20000, slot_minutes=30, room_id=room.id, preparation=PREPARATION,
        sessions=[schedules.SessionInput(weekday=day.weekday(), period="morning", start="09:00", end="10:00")]))
    await schedules.generate(s, sched, day, day)  # type: ignore[arg-type]


async def _seed(url: str) -> Site:
    db = Database(get_settings(), url)
    try:
        async with db.sessionmaker() as s:
            await b.institution(s, name=CENTRE, kind="chc")
            hospital = await b.institution(s, name=HOSPITAL, kind="tertiary_a")
            dep = await b.department(s, hospital, code="03")

            def doctor(name: str, title: str = "chief_physician") -> object:
                return b.practitioner(s, hospital, kind="doctor", title=title, name=name, department_id=dep.id)

            li = await doctor("李建华")
            li_sched = await b.doctor_schedule(s, hospital, doctor=li, days_ahead=2, slots=4,  # type: ignore[arg-type]
                                               fee_fen=2500)
            wang = await doctor("王芳", "associate_chief_physician")
            await b.doctor_schedule(s, hospital, doctor=wang, days_ahead=6, release_days_ahead=2, slots=2,  # type: ignore[arg-type]
                                    fee_fen=5000, slot_class="special")
            wu = await doctor("吴敏", "attending_physician")
            full = await b.doctor_schedule(s, hospital, doctor=wu, days_ahead=4, slots=1, fee_fen=1000,  # type: ignore[arg-type]
                                           slot_class="general")
            zhou = await doctor("周文")
            stop = await b.doctor_schedule(s, hospital, doctor=zhou, days_ahead=3, slots=3, fee_fen=0)  # type: ignore[arg-type]
            qian = await doctor("钱永康")
            await _exam_schedule(s, hospital)

            family_phone, family = await _resident(s, "张三明", date(1986, 4, 12), "330400001111")
            await cards.bind(s, account_id=family.id, holder_patient_id=family.patient_id,  # type: ignore[attr-defined]
                             req=cards.BindRequest(card_type="insurance", card_number="330400004444", relation="spouse",
                                                   name="李秀英", id_number=b.id_number(date(1988, 9, 20), female=True)))
            taker_phone, taker = await _resident(s, "赵建国", date(1968, 1, 20), "330400003333")
            _, other = await _resident(s, "钱小红", date(1992, 8, 8), "330400007777", female=True)
            await _book(s, full.id, 0, other.patient_id, other.id)  # type: ignore[attr-defined]
            stopped_phone, stopped = await _resident(s, "孙悦", date(1975, 2, 2), "330400008888", female=True)
            await _book(s, stop.id, 0, stopped.patient_id, stopped.id)  # type: ignore[attr-defined]

            secret = pyotp.random_base32()
            admin_phone = b.phone()
            await b.staff(s, role="institution_admin", inst=hospital, totp_secret=secret, phone_number=admin_phone)
            await b.done(s)
            return Site(url="", db_url=url, family_phone=family_phone, taker_phone=taker_phone,
                        stopped_phone=stopped_phone, admin_phone=admin_phone, admin_secret=secret,
                        taken_schedule=li_sched.id, taken_patient=other.patient_id,  # type: ignore[attr-defined]
                        stop_schedule=stop.id, create_doctor=qian.id)  # type: ignore[attr-defined]
    finally:
        await db.dispose()


async def _take(url: str, schedule_id: str, index: int, patient_id: str) -> None:
    """Someone else books the slot while the page still shows it free."""
    db = Database(get_settings(), url)
    try:
        async with db.sessionmaker() as s:
            await _book(s, schedule_id, index, patient_id, None)  # type: ignore[arg-type]
            await b.done(s)
    finally:
        await db.dispose()


async def _deliver_payments(url: str) -> int:
    """What the worker does: the sandbox channel's signed notifications reach the platform."""
    db = Database(get_settings(), url)
    try:
        return await sandbox.deliver_pending(db, sandbox.direct_poster(db))
    finally:
        await db.dispose()


async def _slots_of_doctor(url: str, practitioner_id: str) -> int:
    db = Database(get_settings(), url)
    try:
        async with db.sessionmaker() as s:
            ids = [x.id for x in await schedules.list_schedules(s, practitioner_id=practitioner_id)]
            return int(await s.scalar(select(func.count()).select_from(Slot).where(Slot.schedule_id.in_(ids))) or 0)
    finally:
        await db.dispose()


@pytest.fixture(scope="module")
def site(live_db_url: str, browser: Browser) -> Iterator[Site]:
    with serving(live_db_url, _seed(live_db_url)) as s:
        yield s


@pytest.fixture
def phone_page(browser: Browser) -> Iterator[Page]:
    p = open_page(browser, phone=True)
    yield p
    p.context.close()


@pytest.fixture
def desk_page(browser: Browser) -> Iterator[Page]:
    p = open_page(browser)
    yield p
    p.context.close()


def sign_in(page: Page, url: str, phone: str) -> None:
    page.goto(f"{url}/login")
    fill(page, "login-phone", phone)
    fill(page, "login-password", b.PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page).to_have_url(re.compile(r"/resident$"))


def open_doctor(page: Page, name: str) -> None:
    page.get_by_test_id("tab-booking").click()
    page.get_by_test_id("inst-item").filter(has_text=HOSPITAL).click()
    page.get_by_test_id("dept-item").filter(has_text="内科").click()
    page.get_by_test_id("schedule-item").filter(has_text=name).click()
    expect(page.get_by_test_id("slots-title")).to_contain_text(name)


def day_item(page: Page, days_ahead: int) -> object:
    return page.locator(f"[data-testid=day-item][data-day='{local_day(days_ahead).isoformat()}']")


def test_resident_books_for_his_wife_pays_and_cancels(site: Site, phone_page: Page) -> None:
    page = phone_page
    sign_in(page, site.url, site.family_phone)
    page.get_by_test_id("tab-booking").click()
    expect(page.get_by_test_id("inst-item")).to_have_count(2)
    page.get_by_test_id("inst-item").filter(has_text=HOSPITAL).click()
    page.get_by_test_id("dept-item").filter(has_text="内科").click()
    doctors = page.get_by_test_id("schedule-item")
    expect(doctors).to_have_count(4)
    # Special and expert clinics first; the free count covers released places only.
    expect(page.get_by_test_id("schedule-name")).to_have_text(["王芳", "周文", "李建华", "吴敏"])
    expect(doctors.filter(has_text="李建华").get_by_test_id("schedule-free")).to_have_text("余4")
    expect(doctors.filter(has_text="吴敏").get_by_test_id("schedule-free")).to_have_text("暂无余号")
    expect(doctors.filter(has_text="王芳").get_by_test_id("schedule-free")).to_have_text("暂无余号")
    shot(page, "booking-1-doctors")

    doctors.filter(has_text="王芳").click()
    expect(day_item(page, 6).get_by_test_id("day-state")).to_contain_text("08:00 放号")
    expect(page.get_by_test_id("slot-item").first.get_by_test_id("slot-state")).to_contain_text("08:00 放号")
    shot(page, "booking-2-released-later")
    page.get_by_test_id("slots-back").click()

    page.get_by_test_id("schedule-item").filter(has_text="李建华").click()
    expect(day_item(page, 2).get_by_test_id("day-state")).to_have_text("余4")
    expect(day_item(page, 2)).to_have_class(re.compile(r"\bon\b"))
    slots = page.get_by_test_id("slot-item")
    expect(slots).to_have_count(4)
    expect(slots.first).to_contain_text("08:00–08:15")
    expect(slots.first).to_contain_text("专家 · ¥25.00")
    shot(page, "booking-3-slots")
    slots.filter(has_text="08:00–08:15").click()
    sheet = page.get_by_test_id("confirm-sheet")
    expect(sheet.get_by_test_id("patient-option")).to_have_count(2)
    sheet.locator("[data-testid=patient-option][data-name=李秀英]").click()
    expect(sheet.get_by_test_id("confirm-fee")).to_contain_text("专家 ¥25.00")
    shot(page, "booking-4-confirm")
    sheet.get_by_test_id("confirm-booking").click()
    done = page.get_by_test_id("booked")
    expect(done.get_by_test_id("booked-patient")).to_contain_text("李秀英")
    expect(done.get_by_test_id("booked-time")).to_contain_text(f"{local_day(2).isoformat()} 08:00–08:15")
    expect(page.get_by_test_id("preparation")).to_have_count(0)
    shot(page, "booking-5-booked")

    page.get_by_test_id("go-mine").click()
    expect(page).to_have_url(re.compile(r"/resident/appointments$"))
    item = page.get_by_test_id("appt-item")
    expect(item).to_have_count(1)
    expect(item.get_by_test_id("appt-patient")).to_have_text("李秀英")
    expect(item.get_by_test_id("appt-status")).to_have_text("已预约")
    expect(item.get_by_test_id("bill-status")).to_have_text("待支付")

    item.get_by_test_id("pay-appt").click()
    pay = page.get_by_test_id("pay-sheet")
    expect(pay.get_by_test_id("pay-amount")).to_have_text("¥25.00")
    pay.get_by_test_id("pay-channel-alipay").click()
    pay.get_by_test_id("pay-start").click()
    pay.get_by_test_id("pay-confirm").click()
    expect(pay.get_by_test_id("pay-waiting")).to_be_visible()
    assert in_thread(_deliver_payments(site.db_url)) == 1
    expect(item.get_by_test_id("bill-status")).to_have_text("已支付", timeout=15_000)
    expect(item.get_by_test_id("pay-appt")).to_have_count(0)
    shot(page, "booking-6-paid")

    item.get_by_test_id("cancel-appt").click()
    expect(page.locator(".van-dialog")).to_contain_text("李秀英")
    page.locator(".van-dialog__confirm").click()
    expect(page.get_by_test_id("no-appointments")).to_be_visible()
    page.locator(".van-tab", has_text="历史预约").click()
    expect(page.get_by_test_id("appt-item").get_by_test_id("appt-status")).to_have_text("已取消")
    shot(page, "booking-7-cancelled")

    # An exam: booked directly, its preparation shown at once.
    page.get_by_test_id("tab-booking").click()
    page.get_by_test_id("inst-item").filter(has_text=HOSPITAL).click()
    page.get_by_test_id("schedule-item").filter(has_text="胸部CT平扫").click()
    page.get_by_test_id("slot-item").filter(has_text="09:30–10:00").click()
    page.locator("[data-testid=patient-option][data-name=张三明]").click()
    page.get_by_test_id("confirm-booking").click()
    expect(page.get_by_test_id("preparation")).to_contain_text(PREPARATION)
    shot(page, "booking-8-exam-preparation")


def test_a_taken_slot_shows_the_server_message_and_a_full_day_offers_the_waitlist(site: Site,
                                                                                  phone_page: Page) -> None:
    page = phone_page
    sign_in(page, site.url, site.taker_phone)
    open_doctor(page, "李建华")
    page.get_by_test_id("slot-item").filter(has_text="08:45–09:00").click()
    in_thread(_take(site.db_url, site.taken_schedule, 3, site.taken_patient))
    page.get_by_test_id("confirm-booking").click()
    expect(page.get_by_test_id("booking-error")).to_have_text("该号源已约满，请选择其他时段。")
    expect(page.get_by_test_id("booked")).to_have_count(0)
    shot(page, "booking-9-slot-taken")
    page.get_by_test_id("confirm-sheet").locator(".van-popup__close-icon").click()

    page.get_by_test_id("slots-back").click()
    page.get_by_test_id("schedule-item").filter(has_text="吴敏").click()
    expect(day_item(page, 4).get_by_test_id("day-state")).to_have_text("约满")
    expect(page.get_by_test_id("slot-item").get_by_test_id("slot-state")).to_have_text("约满")
    page.get_by_test_id("waitlist-join").click()
    page.get_by_test_id("confirm-waitlist").click()
    expect(page.locator(".van-toast")).to_contain_text("已加入候补，排第1位")
    page.get_by_test_id("slots-back").click()
    page.get_by_test_id("tab-appointments").click()
    entry = page.get_by_test_id("waitlist-item")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("吴敏")
    expect(entry.get_by_test_id("waitlist-status")).to_have_text("候补中 · 排第1位")
    shot(page, "booking-10-waitlist")
    entry.get_by_test_id("waitlist-leave").click()
    page.locator(".van-dialog__confirm").click()
    expect(page.get_by_test_id("waitlist-item")).to_have_count(0)


def admin_sign_in(page: Page, site: Site) -> None:
    page.goto(f"{site.url}/login")
    fill(page, "login-phone", site.admin_phone)
    fill(page, "login-password", b.PASSWORD)
    page.get_by_test_id("login-submit").click()
    fill(page, "totp-code", pyotp.TOTP(site.admin_secret).now())
    page.get_by_test_id("totp-submit").click()
    expect(page).to_have_url(re.compile(r"/console$"))


def pick(page: Page, testid: str, text: str) -> None:
    page.locator(f"[data-testid={testid}] .el-select").click()
    page.locator(".el-select-dropdown__item:visible", has_text=text).first.click()


def test_admin_creates_a_schedule_and_stops_a_session(site: Site, desk_page: Page, browser: Browser) -> None:
    page = desk_page
    admin_sign_in(page, site)
    page.get_by_test_id("nav-schedules").click()
    expect(page).to_have_url(re.compile(r"/console/schedules$"))
    table = page.locator("[data-testid=schedules-table] .el-table__body-wrapper tr.el-table__row")
    expect(table).to_have_count(5)

    page.get_by_test_id("create-schedule").click()
    dialog = page.get_by_test_id("schedule-dialog")
    pick(page, "sch-department", "内科")
    pick(page, "sch-doctor", "钱永康")
    expect(dialog.locator("[data-testid=sch-name] input")).to_have_value("钱永康普通门诊")
    fill(page, "sch-name", "钱永康专家门诊")
    dialog.get_by_test_id("sch-class-expert").click()
    fill(page, "sch-fee", "30")
    page.keyboard.press("Tab")
    tomorrow = local_day(1)
    dialog.get_by_test_id(f"session-{tomorrow.weekday()}-morning").click()
    shot(page, "schedules-1-create")
    dialog.get_by_test_id("sch-submit").click()
    expect(table).to_have_count(6)
    row = table.filter(has_text="钱永康专家门诊")
    expect(row).to_contain_text("¥30.00")
    expect(row).to_contain_text("提前7天 08:00 放号")
    expect(row).to_contain_text("08:00–12:00")
    # Tomorrow's weekday, mornings 08:00–12:00 in 30-minute slots: tomorrow and a week later in the window
    # of today + 14 days.
    assert in_thread(_slots_of_doctor(site.db_url, site.create_doctor)) == 2 * 8
    shot(page, "schedules-2-created")

    stop_day = local_day(3).isoformat()
    table.filter(has_text="周文").get_by_test_id("stop-open").click()
    stop = page.get_by_test_id("stop-dialog")
    pick(page, "stop-session", stop_day)
    stop.get_by_test_id("stop-submit").click()
    expect(stop.get_by_test_id("stop-error")).to_have_text("请填写停诊原因")
    fill(page, "stop-reason", "医生外出会诊")
    stop.get_by_test_id("stop-submit").click()
    expect(page.get_by_test_id("stop-result")).to_contain_text("关闭 3 个号源，取消 1 个预约并通知患者")
    shot(page, "schedules-3-stopped")

    phone = open_page(browser, phone=True)
    try:
        sign_in(phone, site.url, site.stopped_phone)
        phone.get_by_test_id("tab-appointments").click()
        expect(phone.get_by_test_id("no-appointments")).to_be_visible()
        phone.locator(".van-tab", has_text="历史预约").click()
        item = phone.get_by_test_id("appt-item")
        expect(item.get_by_test_id("appt-status")).to_have_text("已停诊")
        expect(item.get_by_test_id("appt-reason")).to_have_text("停诊原因：医生外出会诊")
        shot(phone, "booking-11-stopped")
    finally:
        phone.context.close()
