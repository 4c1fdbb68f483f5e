"""What farmdock says about the emergency supplier registry (应急商品供应数据库)."""

from __future__ import annotations

# Importing and adding suppliers (the CLI's and the officials' form's Chinese reasons).
NO_NAME = "名称是空的"
BAD_TYPE = "类型「{type}」不对：只能是{types}"
NO_COUNTY = "县区是空的"
BAD_PLACE = "不认识的地点：{place}"
BAD_PHONE = "电话不是电话号码：{phone}"
BAD_CODE = "统一社会信用代码不对：{code}"
BAD_FLAG = "标记「{flag}」不对：只能是{flags}"
UNKNOWN_PRODUCT = "不认识的产品：{product}"
BAD_CAPACITY = "供应能力不对：{text}（写成 产品 数量单位/日 或 /周，数量大于0，例如：猪肉500斤/日）"
NO_CAPACITY = "没有写供应产品和供应能力"
NO_SUCH_SUPPLIER = "没有这家供应企业：{supplier}"
SEVERAL_SUPPLIERS = "有几家供应企业都叫「{supplier}」，请用编号：{ids}"

# A supplier as officials (and the CLI's text output) read it.
CARD = ("🏭 <b>{name}</b>（{type}）{flags}\n"
        "📍 {place}\n"
        "📦 {capacities}\n"
        "👤 联系人：{contact}｜☎️ {phone}")
KEY_FLAG = "【{flag}】"
NO_CONTACT = "未填"
NO_PHONE = "未填"
# Registered phones are business contacts given to the bureau: officials of the
# supplier's area and above see them, nobody else.
PHONE_HIDDEN = "（仅所在地区的工作人员可见）"
# Shown beside a linked user's listings.
SPEAKS_FOR = "（应急供应企业：{name}）"
