from __future__ import annotations

from fastapi import APIRouter, status

from yihu.auth import schemas, service
from yihu.auth.deps import CurrentActor
from yihu.config import get_settings
from yihu.kit.routing import CommittingRoute, SessionDep

router = APIRouter(prefix="/auth", tags=["auth"], route_class=CommittingRoute)


def _out(result: service.LoginResult) -> schemas.TokenOut:
    if result.mfa_token:
        return schemas.TokenOut(mfa_required=True, mfa_token=result.mfa_token,
                                totp_enrollment_uri=result.totp_enrollment_uri)
    return schemas.TokenOut(access_token=result.access_token, refresh_token=result.refresh_token,
                            expires_in=get_settings().access_token_minutes * 60,
                            account=service.account_view(result.account))


@router.post("/register", response_model=schemas.TokenOut, status_code=status.HTTP_201_CREATED,
             summary="Register a resident with real name, national ID number and phone")
async def register(body: schemas.RegisterIn, session: SessionDep) -> schemas.TokenOut:
    account = await service.register_resident(session, service.Registration(**body.model_dump()))
    return _out(await service.issue_tokens(session, account))


@router.post("/login", response_model=schemas.TokenOut, summary="Sign in with phone and password")
async def login(body: schemas.LoginIn, session: SessionDep) -> schemas.TokenOut:
    return _out(await service.login_password(session, body.phone, body.password))


@router.post("/login/totp", response_model=schemas.TokenOut, summary="Second factor (TOTP) for staff admins")
async def login_totp(body: schemas.TotpIn, session: SessionDep) -> schemas.TokenOut:
    return _out(await service.login_totp(session, body.mfa_token, body.code))


@router.post("/sms/request", status_code=status.HTTP_202_ACCEPTED, summary="Send a sign-in code by SMS")
async def sms_request(body: schemas.SmsRequestIn, session: SessionDep) -> dict[str, str]:
    await service.request_sms_code(session, body.phone)
    return {"status": "sent_if_registered"}


@router.post("/sms/login", response_model=schemas.TokenOut, summary="Sign in with an SMS code")
async def sms_login(body: schemas.SmsLoginIn, session: SessionDep) -> schemas.TokenOut:
    return _out(await service.login_sms(session, body.phone, body.code))


@router.post("/refresh", response_model=schemas.TokenOut, summary="Rotate a refresh token")
async def refresh(body: schemas.RefreshIn, session: SessionDep) -> schemas.TokenOut:
    return _out(await service.refresh(session, body.refresh_token))


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, summary="Revoke a refresh token and its family")
async def logout(body: schemas.RefreshIn, session: SessionDep) -> None:
    await service.logout(session, body.refresh_token)


@router.get("/me", response_model=schemas.AccountOut, summary="The signed-in account (phone masked)")
async def me(actor: CurrentActor, session: SessionDep) -> schemas.AccountOut:
    return schemas.AccountOut(**service.account_view(await service.get_account(session, actor.account_id)))
