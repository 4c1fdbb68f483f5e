"""What farmdock says about the daily store survey, its needs and its officers."""

from __future__ import annotations

# Importing and naming stores (the CLI's Chinese reasons).
IMPORT_NO_NAME = "门店名称是空的"
IMPORT_BAD_TYPE = "类型「{type}」不对：只能是{types}"
IMPORT_NO_COUNTY = "县区是空的"
IMPORT_BAD_PLACE = "不认识的地点：{place}"
IMPORT_BAD_PHONE = "店长电话不是电话号码：{phone}"
NO_SUCH_STORE = "没有这个门店：{store}"
SEVERAL_STORES = "有几家门店都叫「{store}」，请用编号：{ids}"

# The day's survey table (farmdock stock, text).
TABLE_HEAD = "{area} {day} 门店库存调查：报送 {reported}/{expected} 家"
TABLE_ROW = ("{store} {product}：库存{stock}{unit}，日均{sales}，可销售{days}天，{status}"
             "{reason}")
TABLE_AREAS = "按县区："
AREA_ROW = ("{county} {product}：报送{reporting}家，可销售天数中位数{median}，偏紧{tight} "
            "告急{emergency} 断货{out}")

# The need the survey drafts (to the store's managers).
CARD_URGENT = "⚠️ <b>{status}</b>"
CARD = ("📦 <b>{store}</b> {product}：可销售{days}天（{status}）。\n"
        "建议求购 <b>{amount}</b>，补到目标天数。发布后平台为您匹配供应方。")
PUBLISH = "发布"
CHANGE_QUANTITY = "改数量"
NOT_NEEDED = "不需要"
NEED_TEXT = "求购{product}{amount}（{store}，门店库存调查）"
NEED_CLOSED = "✅ {store} {product}的库存已回到目标天数以上，门店库存调查的这条需求已关闭。"
PUBLISHED = "✅ 已发布求购：{product} {amount}（编号{id}）。"
DECLINED = "好的，这次不发布。今天不再提醒这一项。"
ASK_QUANTITY = "请输入新的求购数量（例如：30吨、500箱），单位：{unit}。"
QUANTITY_NOT_UNDERSTOOD = "没看懂数量，请写数字和单位，例如：30吨、500箱（单位要是{unit}）。"
NEED_GONE = "这条需求已经处理过了。"
# To the store's officer, at once.
OFFICER_URGENT = ("🚨 <b>{store}</b> {product}{status}：库存{stock}，可销售{days}天。"
                  "请尽快联系门店。")

# The manager's daily report (/report).
NOT_A_MANAGER = "您还不是哪家门店的店长。门店的店长由商务部门登记（按店长电话关联）。"
WHICH_STORE = "报哪家门店的库存？"
ASK_REPORT = ("请发送 <b>{store}</b> 今天的库存，一行即可，例如：\n"
              "大米 库存20吨 日销2吨；猪肉 库存3吨 今天卖了1.5吨；鸡蛋 500箱 日销120箱\n"
              "调查品种：{items}")
REPORT_REFUSED = "没能读出库存：\n{errors}\n请改一下再发。"
REPORT_SAVED = "✅ 已收到 <b>{store}</b> {day} 的库存："
REPORT_LINE = "{mark}{product}：{stock}，可销售{days}天，{status}"
REPORT_UNKNOWN = "不在调查品种里，没有记录：{names}"
REPORT_ERRORS = "有几处没看懂：\n{errors}"
REPORT_DRAFTED = "有{count}项低于目标天数，已为您拟好求购，请在下面的卡片上确认。"
# To a county's officials and the city's, once a day per item.
AREA_ALERT = ("📉 <b>{county} {product}</b>：报送的{reporting}家门店中{short}家库存不足"
              "（偏紧{tight}、告急{emergency}、断货{out}），可销售天数中位数{median}。")

# Supply-assurance officers (保供服务官).
ASSIGN_NOT_OFFICIAL = "只能指派在岗的工作人员做保供服务官"
ASSIGN_OUTSIDE = "{store}不在{area}的辖区内"
ASSIGN_NOT_ALLOWED = "只有市级或县区级工作人员可以指派本辖区门店的保供服务官"
ASSIGNED = "✅ 已指派 {official} 为 {store} 的保供服务官。"
ASSIGN_PICK_STORE = "给哪家门店指派保供服务官？（本辖区，未指派的在前）"
ASSIGN_PICK_OFFICIAL = "指派谁做 <b>{store}</b> 的保供服务官？"
ASSIGN_NO_STORES = "本辖区还没有登记的门店。"
ASSIGN_NO_OFFICIALS = "这家门店所在辖区还没有工作人员。"
ASSIGN_ONLY_OFFICIALS = "只有市级或县区级工作人员可以指派保供服务官。"
YOU_ARE_OFFICER = ("您已被指派为 <b>{store}</b> 的保供服务官，每天早上会收到门店情况，"
                   "/todo 随时查看。")
TODO_NO_STORES = "您还没有负责的门店。"
TODO_HEAD = "📋 {day} 待办：负责{stores}家门店，已报送{reported}家"
TODO_NOTHING = "今天没有待办事项。"
TODO_NOT_REPORTED = "{store}：今天还没报库存"
TODO_URGENT = "🚨 {store} {product}{status}（库存{stock}）"
TODO_NEED_DRAFT = "{store} {product}：已拟求购{amount}，店长还没发布"
TODO_NEED_OPEN = "{store} {product}：求购{amount}（编号{id}）还没有匹配"
TODO_NEED_MATCHED = "{store} {product}：求购{amount}（编号{id}）已有匹配"
TODO_TICKET_OVERDUE = "⏰ 热线诉求 {number}（{category}，{place}）已超时约{hours}小时：{what}"
OFFICER_MORNING = "☀️ 保供服务官早报\n{body}"
TODO_ONLY_OFFICIALS = "/todo 是保供服务官的待办，只对工作人员开放。"
# Reminders when reports are due.
REMINDER = "⏰ <b>{store}</b> 今天还没有报库存，请发送 /report 报送。"
SECOND_MISS = "⏰ <b>{store}</b> 连续两天没有报库存（已提醒店长{managers}人），请跟进。"

# Officials acting on an escalated need (⚠️ 缺口提醒).
NO_CANDIDATES = "{product}：目前没有在售的供应可以推荐。"
CANDIDATES_HEAD = "👀 需求#{id} {product} 的候选供应（最合适的在前）："
CANDIDATE_LINE = "{n}. {organisation}｜{amount}｜{place}（供应#{id}）"
COORDINATED_DONE = "✅ 已记录您在协调这条需求；上级会看到，缺口提醒暂缓一级。"
COORDINATED_BEFORE = "您已经点过「已协调」了。"
COORDINATED_ABOVE = "ℹ️ {who}（{area}）已在协调需求#{id}：{product} {amount}。"
ESCALATION_GONE = "这条需求已经匹配或关闭了。"

# The officials' digest's survey part.
DIGEST_HEADING = "<b>🏪 门店库存调查</b>：报送 {reported}/{expected} 家"
DIGEST_STATUSES = "品种状态：{statuses}"
DIGEST_WORST = "· {store} {product}：可销售{days}天（{status}）"
DIGEST_NEEDS = "调查拟求购 {opened} 条，已发布 {published} 条，已匹配 {matched} 条"
# The item form of /report (逐项填写).
WALK = "逐项填写"
WALK_ITEM = ("第{n}/{total}项：<b>{product}</b>\n{before}\n"
             "请发库存和销量，例如：20吨 日销2吨；没有这一项请点「跳过」。")
WALK_LAST = "上次：库存{stock}，销量{sales}"
WALK_NONE = "之前没有报过。"
SAME_AS_YESTERDAY = "同昨天"
SKIP = "跳过"
WALK_NO_YESTERDAY = "之前没有报过这一项，请直接输入。"
WALK_NOT_UNDERSTOOD = "没看懂，请写库存和销量，例如：20吨 日销2吨"
WALK_EMPTY = "这次一项都没有填，没有记录。"
