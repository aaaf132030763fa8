from yihu.errors import code

ID_LENGTH = code("identity.id_number.length", 422, "身份证号码应为18位，当前为{length}位。",
                 "A national ID number has 18 characters; this one has {length}.")
ID_FORMAT = code("identity.id_number.format", 422, "身份证号码前17位应为数字，最后一位为数字或X。",
                 "The first 17 characters of an ID number are digits and the last is a digit or X.")
ID_REGION = code("identity.id_number.region", 422, "身份证号码的地区码（前6位）不存在。",
                 "The region code (first 6 digits) of the ID number does not exist.")
ID_BIRTH_DATE = code("identity.id_number.birth_date", 422, "身份证号码中的出生日期无效。",
                     "The birth date inside the ID number is not a valid date.")
ID_CHECKSUM = code("identity.id_number.checksum", 422, "身份证号码校验位不正确，请核对后重新输入。",
                   "The check digit of the ID number is wrong; please check the number.")
PHONE_FORMAT = code("identity.phone.format", 422, "手机号码应为11位，以1开头。",
                    "A mobile number has 11 digits and starts with 1.")
NAME_FORMAT = code("identity.name.format", 422, "姓名应为2至30个字符，不含数字。",
                   "A name has 2 to 30 characters and no digits.")
NAME_MISMATCH = code("identity.name_mismatch", 422, "姓名与身份证号码登记的姓名不一致。",
                     "The name does not match the name registered for this ID number.")
ALREADY_REGISTERED = code("identity.already_registered", 409, "此身份证号码已注册账户，请直接登录或找回密码。",
                          "An account is already registered for this ID number; sign in or reset the password.")
PHONE_TAKEN = code("identity.phone_taken", 409, "该手机号已被其他账户使用。", "This phone number is used by another account.")
MINOR_NEEDS_GUARDIAN = code("identity.minor_requires_guardian", 422,
                            "未满{age}周岁的未成年人不能自行注册，请由监护人在其账户中绑定。",
                            "A child under {age} cannot register alone; a guardian binds the child on their account.")
CARD_LIMIT = code("card.limit_reached", 409, "每个账户最多绑定{limit}张卡，请先解绑一张。",
                  "An account binds at most {limit} cards; unbind one first.")
CARD_DUPLICATE = code("card.duplicate", 409, "这张卡已绑定在您的账户中。", "This card is already bound to your account.")
CARD_GUARDIAN = code("card.guardian_required", 422,
                     "为未满{age}周岁的儿童绑卡须由监护人操作（关系选择子女或被监护人），并同意监护人授权书。",
                     "A child under {age} is bound only by a guardian (relation child or ward) who gives consent.")
CARD_SELF_MISMATCH = code("card.self_mismatch", 422, "关系为“本人”时，证件号码须为账户本人。",
                          "With relation 'self' the ID number must be the account holder's.")
CARD_INSTITUTION = code("card.institution_required", 422, "就诊卡须选择发卡机构。",
                        "A visit card needs the institution that issued it.")
CARD_NUMBER = code("card.number_format", 422, "卡号应为6至32位字母或数字。", "A card number has 6 to 32 letters or digits.")
INSTITUTION_CODE_TAKEN = code("registry.institution_code_taken", 409, "机构编码已存在。", "This institution code already exists.")
DEPARTMENT_CODE_TAKEN = code("registry.department_code_taken", 409, "本机构已有该科室编码。",
                             "This institution already has a department with that code.")
DEPARTMENT_CODE_UNKNOWN = code("registry.department_code_unknown", 422, "科室编码不在《医疗机构诊疗科目名录》中。",
                               "The department code is not in the national list of clinical subjects.")
LICENCE_TAKEN = code("registry.licence_taken", 409, "该执业证书编号已登记。", "This licence number is already registered.")
TITLE_INVALID = code("registry.title_invalid", 422, "职称不属于该类人员的职称序列。",
                     "The title is not on this kind of practitioner's ladder.")
CREDENTIAL_DATES = code("registry.credential_dates", 422, "证书有效期不能早于发证日期。",
                        "A credential cannot expire before it was issued.")
CARD_TYPE = code("card.type_invalid", 422, "卡类型应为医保卡（insurance）或就诊卡（visit）。",
                 "The card type is insurance or visit.")
RELATION_INVALID = code("card.relation_invalid", 422, "与持卡人的关系无效。", "The relation to the card holder is not valid.")
INSTITUTION_KIND = code("registry.institution_kind_invalid", 422, "机构类别无效。", "The institution kind is not valid.")
PRACTITIONER_KIND = code("registry.practitioner_kind_invalid", 422, "人员类别无效。", "The practitioner kind is not valid.")
CREDENTIAL_KIND = code("registry.credential_kind_invalid", 422, "证书类别无效。", "The credential kind is not valid.")
ROOM_KIND = code("registry.room_kind_invalid", 422, "诊室/资源类别无效。", "The room or resource kind is not valid.")
DEPARTMENT_OTHER_INSTITUTION = code("registry.department_other_institution", 422, "科室不属于该机构。",
                                    "The department belongs to another institution.")
ROOM_CODE_TAKEN = code("registry.room_code_taken", 409, "本机构已有该诊室/资源编码。",
                       "This institution already has a room or resource with that code.")
CARD_CONSENT_REQUIRED = code("card.consent_required", 422,
                             "此人已在平台登记手机号{phone}。请先发送验证码到该手机，并填写对方告诉您的验证码，以确认其同意被绑定。",
                             "This person has a phone on record ({phone}). Send a code to it and enter the code they "
                             "tell you, to confirm they agree to be bound.")
CARD_CONSENT_INVALID = code("card.consent_code_invalid", 422, "验证码错误或已过期，请重新发送。",
                            "The code is wrong or has expired; send a new one.")
