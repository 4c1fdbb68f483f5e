"""What transport passes say: the application's questions, officials' notices, the answer
a checkpoint gets, and the words on the pass image.

Values are HTML-safe templates; fill them with ``html.escape``-d text only (the image
takes plain text).
"""

from __future__ import annotations

from bot.texts.html import esc

TITLE = "重点物资运输车辆通行证"

# ---------------------------------------------------------------- applying

NOT_ALLOWED = ("通行证由供应方、已有匹配的采购方申请，或由工作人员代为申请。"
               "采购方请先发布需求并匹配到供应方。")
ASK_PLATE = ("<b>申请重点物资运输车辆通行证</b>（一车一证一线路）\n"
             "第1步：车牌号，如 豫D12345（新能源车 豫DF12345）。随时可发 /cancel 取消。")
ASK_CREW = ("第2步：司机和随车人员，每行一人：姓名 手机号，第一行是司机，最多5人。\n"
            "如：\n张师傅 13812345678\n李四 13912345678")
ASK_CATEGORY = "第3步：运输的物资类别："
ASK_ORIGIN = ("第4步：起点。按本市的区县，或直接输入地名（市外的写到市或县，如 郑州市、"
              "山东省寿光市）：")
ASK_DESTINATION = "第5步：终点。按本市的区县，或直接输入地名（起点和终点至少一端在本市）："
ASK_VALIDITY = "第6步：有效期，如 5月10日至5月20日，或 今天到5月20日："
CONFIRM = "确认提交"
CANCEL = "取消"
SUBMITTED = ("已提交，申请编号 {id}。{approvers}审核后会通知您；"
             "批准后您会收到带二维码的通行证图片。")
NO_APPROVER_YET = "起止地所在区县的工作人员"
CANCELLED = "已取消申请。"

INPUT_ERRORS = {
    "plate": "车牌号看不懂，请按“豫D12345”这样写（新能源车“豫DF12345”）。",
    "crew_line": "“{line}”看不懂：每行写一人，姓名加手机号，如“张师傅 13812345678”。",
    "no_driver": "请写司机的姓名和手机号，如“张师傅 13812345678”。",
    "too_many": "一辆车最多写{most}人（司机和随车人员）。",
    "category": "物资类别请选：{categories}。",
    "no_place": "请写地点：本市的区县（如宝丰县），或市外的地方（如郑州市）。",
    "place_ambiguous": "“{place}”可能在{counties}，请写明区县。",
    "place_unknown": "“{place}”不是本市的区县，也不像市外的地名（如郑州市、山东省寿光市）。",
    "both_outside": "起点和终点至少有一端在平顶山市内。",
    "same_place": "起点和终点不能是同一个地方。",
    "no_range": "请写有效期的起止日期，如“5月10日至5月20日”。",
    "past_start": "有效期不能从已经过去的日子开始。",
    "end_before_start": "有效期的结束日不能早于开始日。",
    "bad_day": "“{day}”不是日期，请写如“5月10日”。",
}


def input_error(code: str, params: dict[str, object]) -> str:
    return INPUT_ERRORS[code].format(**{k: esc(str(v)) for k, v in params.items()})


def summary(plate: str, people: list[tuple[str, str | None]], category: str, origin: str,
            destination: str, valid_from: str, valid_until: str,
            number: str | None = None) -> str:
    """A pass's fields as a message; phones only where given (officials)."""
    crew = "\n".join(
        f"{'司机' if i == 0 else '随车'}：{esc(name)}" + (f" {esc(phone)}" if phone else "")
        for i, (name, phone) in enumerate(people))
    head = f"编号：{number}\n" if number else ""
    return (f"{head}车牌：{esc(plate)}\n路线：{esc(origin)} → {esc(destination)}\n"
            f"物资：{esc(category)}\n有效期：{valid_from} 至 {valid_until}\n{crew}")


def review(summary_text: str) -> str:
    return f"<b>请核对通行证申请</b>\n{summary_text}"


# ---------------------------------------------------------------- deciding

APPROVE = "批准"
REJECT = "驳回"
REVOKE = "吊销"


def to_decide(pass_id: int, applicant: str, summary_text: str) -> str:
    return (f"<b>通行证申请待审核</b>（申请编号 {pass_id}）\n申请人：{esc(applicant)}\n"
            f"{summary_text}")


ASK_REJECT_REASON = "请输入驳回申请 {id} 的理由（申请人会看到）："
ASK_REVOKE_REASON = "请输入吊销通行证 {number} 的理由："
BAD_REASON = "理由请写 2 到 200 个字。"
APPROVED = "已批准，通行证编号 {number}，通行证图片已发给申请人。"
REJECTED = "已驳回申请 {id}。"
REVOKED = "已吊销通行证 {number}。"
NOT_YOURS = "只有起点或终点所在区县的工作人员可以审核或吊销这张通行证。"
NOT_PENDING = "这个申请已经处理过了。"
NOT_APPROVED = "这张通行证不是有效状态，无法吊销。"
NOT_FOUND = "没有这个通行证或申请。"
NO_SECRET = "平台尚未配置通行证签名密钥（FARMDOCK_PASS_SECRET），暂时不能签发或核验通行证。"


def issued(number: str, summary_text: str) -> str:
    return (f"<b>您的通行证已批准</b>\n{summary_text}\n\n"
            "请保存这张图片，在检查站出示二维码；有效期内可反复使用。")


def rejected(pass_id: int, reason: str) -> str:
    return f"您的通行证申请 {pass_id} 未获批准。理由：{esc(reason)}"


def revoked(number: str, reason: str) -> str:
    return f"您的通行证 {number} 已被吊销，不能再使用。理由：{esc(reason)}"


# ---------------------------------------------------------------- checking

VERIFY_USAGE = "核验通行证：扫描通行证上的二维码，或发送 /verify 加通行证上的代码。"


def valid(summary_text: str, issuer: str) -> str:
    return f"✅ <b>有效</b>\n{summary_text}\n发证单位：{esc(issuer)}"


def invalid(reason: str, summary_text: str | None) -> str:
    details = f"\n{summary_text}" if summary_text else ""
    return f"⛔ <b>无效</b>：{reason}{details}\n如有疑问，请电话联系发证单位核实。"


# ---------------------------------------------------------------- register and image

REGISTER_CAPTION = "{area}通行证登记表（共 {count} 张）"
REGISTER_EMPTY = "{area}还没有通行证。"
REGISTER_COLUMNS = (
    "申请编号", "通行证编号", "状态", "车牌", "物资类别", "起点", "终点", "有效期起",
    "有效期止", "司机", "司机电话", "随车人员", "发证单位", "申请时间", "审核时间", "理由",
)
STATUS_NAMES = {"pending": "待审核", "approved": "已批准", "rejected": "已驳回",
                "revoked": "已吊销"}
IMAGE_LINES = ("编号", "车牌", "路线", "物资", "有效期", "司机", "发证")
IMAGE_FOOTER = "一车一证一线路 · 有效期内可反复使用 · 扫码核验"
ISSUER = "平顶山市{county}"
