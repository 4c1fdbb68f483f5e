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

# Asking the registry for a need the market did not cover.
NEED_LINE = "{product} {amount}｜{place}（求购#{id}）"
REQUEST_CARD = ("🆘 <b>应急供应请求</b>（{supplier}）\n{need}\n"
                "市场上暂时没有供应能满足这条需求。您能供应吗？")
CALL_CARD = ("📞 <b>请致电应急供应企业</b>：{supplier}（{type}，{place}）\n"
             "联系人：{contact}｜电话：{phone}\n"
             "询问能否供应：{need}\n打完电话请点下方按钮记录对方的答复。")
CAN = "✅ 能供应"
CANNOT = "❌ 不能"
PARTLY = "➗ 能供应部分"
OFFER_TEXT = "供应{product}{amount}（{supplier}，应急供应）"
ASK_PART_QUANTITY = "能供应多少？请输入数量，单位：{unit}（例如：500斤、2吨、30箱）。"
PART_NOT_UNDERSTOOD = "没看懂数量，请写数字和单位，例如：500斤、2吨（单位要是{unit}）。"
ANSWERED_BEFORE = "这条请求已经答复过了。"
REQUEST_GONE = "这条请求已经不在了。"
RECORDED = "✅ 已记录：{supplier} {answer}。"
OFFER_PUBLISHED = ("✅ 已记录：{supplier} {answer}。已为您发布供应#{id}（{amount}），"
                   "并推荐给求购方；双方都有意向后互换联系方式。")
NEED_CLOSED = "✅ 已记录。这条求购已经结束，不再需要供应。"
# Who in the registry was asked (escalations, the digest, the call list).
ASKED_HEAD = "应急供应库询问："
ASKED_LINE = "· {supplier}（{how}）：{status}"
BY_BOT = "机器人"
BY_CALL = "电话"
TODO_CALL = "📞 致电 {supplier}（联系人：{contact}，电话：{phone}），询问：{need}"

# Officials in the bot: /suppliers (the registry of their area), /addsupplier, 编辑.
ONLY_OFFICIALS = "应急供应企业库只有工作人员可以查看和维护。"
LIST_HEAD = "🏭 {area} 应急供应企业：共{count}家{product}"
LIST_PRODUCT = "（{product}）"
LIST_NONE = "{area} 还没有登记的应急供应企业{product}。可以用 /addsupplier 添加。"
LIST_MORE = "……另有{more}家，请用 /suppliers 产品名 缩小范围，或用命令行导出。"
UNKNOWN_LIST_PRODUCT = "不认识的产品：{product}。例如：/suppliers 猪肉"
EDIT = "✏️ 编辑"
FORM = ("请按下面的格式发一条消息（每行一项，没有的可以不写）：\n\n"
        "<code>{form}</code>\n\n"
        "类型：养殖场、蔬菜生产大户、面粉加工企业、批发商、超市、其他。"
        "供应写成 产品 数量单位/日 或 /周。发 /cancel 取消。")
FORM_EXAMPLE = ("名称：周庄生猪养殖场\n类型：养殖场\n地点：宝丰县周庄镇\n联系人：李建国\n"
                "电话：13837510001\n供应：猪肉 2000斤/日；生猪 40头/周\n标记：保供骨干企业\n"
                "统一社会信用代码：")
FORM_UNKNOWN_LINE = "看不懂这一行：{line}（每行写成 项目：内容，如 名称：周庄生猪养殖场）"
FORM_NO_PLACE = "请写地点，例如：地点：宝丰县周庄镇"
FORM_PLACE_OUTSIDE = "{place}不在您负责的{area}，不能在这里登记。"
FORM_TAKEN = "已有另一家同名同地点（或同一信用代码）的企业：{name}（编号{id}）。"
FORM_TRY_AGAIN = "请改好后重新发一遍，或发 /cancel 取消。"
SAVED_ADDED = "✅ 已登记："
SAVED_UPDATED = "✅ 已更新："
