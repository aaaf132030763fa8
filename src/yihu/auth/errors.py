from yihu.errors import code

INVALID_CREDENTIALS = code("auth.invalid_credentials", 401, "手机号或密码错误。", "Wrong phone number or password.")
LOCKED = code("auth.locked", 423, "登录失败次数过多，账户已锁定，请{minutes}分钟后再试。",
              "Too many failed sign-ins: the account is locked; try again in {minutes} minutes.")
INACTIVE = code("auth.inactive", 403, "该账户已停用。", "This account is disabled.")
TOKEN_INVALID = code("auth.token_invalid", 401, "登录已失效，请重新登录。", "Your session has expired; please sign in again.")
REFRESH_INVALID = code("auth.refresh_invalid", 401, "刷新令牌无效或已过期，请重新登录。",
                       "The refresh token is invalid or expired; please sign in again.")
MFA_INVALID = code("auth.mfa_invalid", 401, "动态验证码错误或已使用。", "The one-time code is wrong or was already used.")
MFA_TOKEN_INVALID = code("auth.mfa_token_invalid", 401, "二次验证已超时，请重新登录。",
                         "The second-factor step timed out; please sign in again.")
PASSWORD_WEAK = code("auth.password_weak", 422, "密码至少8位，须同时包含字母和数字。",
                     "A password has at least 8 characters with both letters and digits.")
SMS_TOO_SOON = code("auth.sms_too_soon", 429, "验证码发送过于频繁，请{seconds}秒后再试。",
                    "A code was sent moments ago; try again in {seconds} seconds.")
SMS_CODE_INVALID = code("auth.sms_code_invalid", 401, "短信验证码错误或已过期。", "The SMS code is wrong or has expired.")
ROLE_REQUIRED = code("auth.role_required", 403, "该功能仅对{roles}开放。", "This is only open to: {roles}.")
