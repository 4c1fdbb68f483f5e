"""What sealed areas (封控区定向配送) say to officials, receivers and suppliers."""

BAD_LEVEL = "级别只能是封控区、管控区或防范区：{level}"
NOT_A_TOWNSHIP = "封控区要落在一个乡镇街道：{region}"
EMPTY_NAME = "封控区名称是空的"
BAD_START = "开始日期不对（写成 2022-05-10）：{start}"
NO_SUCH_AREA = "没有这个封控区：{area}"
LIFTED_ALREADY = "{name}已解封"
NO_SUCH_USER = "没有这个用户：{user}"
EMPTY_POINT = "收货点是空的"
NOT_YOURS = "只有{name}所在县区或市里的官员可以管理这个封控区"

LIFTED_NOTICE = ("✅ {name}（{level}）已解封。您的{count}条求购已回到公开市场，"
                 "附近的供应信息会照常推荐给您。")
RECEIVER_NOTICE = ("📦 您已登记为{name}（{level}）的收货人，收货点：{point}。"
                   "您发布的求购只推荐给指定保供企业。")

# Delivery tasks into a sealed area.
DISPATCHED_BUTTON = "🚚 已发车"
RECEIVED_BUTTON = "✅ 已签收"
TASK_FOR_SUPPLIER = ("🚚 配送任务 #{id}（{area}，{level}）：{product} {amount}，"
                     "送到{point}，收货人{receiver}。发车后请点「已发车」。")
TASK_FOR_RECEIVER = ("📦 配送任务 #{id}：{supplier}将送来{product} {amount}到{point}。"
                     "收到后请点「已签收」并填写实收数量。")
ASK_PLATE = "请输入车牌号（例如 豫D12345），没有就回复「无」。"
DISPATCHED = "已记录发车（任务 #{id}{plate}）。"
DISPATCHED_NOTICE = "🚚 配送任务 #{id}：{product}已发车{plate}，请准备收货。"
ASK_RECEIVED = "实际收到多少？请写数量和单位，例如 2000斤。"
RECEIVED_NOT_UNDERSTOOD = "没看懂数量，请写数量和单位（{unit}），例如 2000斤。"
RECEIVED = "已签收（任务 #{id}）：实收{received}。"
RECEIVED_SHORT = "已签收（任务 #{id}）：实收{received}，短缺{shortfall}，已记录。"
RECEIVED_NOTICE = "✅ 配送任务 #{id}：收货人已签收，实收{received}。"
RECEIVED_SHORT_NOTICE = "⚠️ 配送任务 #{id}：收货人已签收，实收{received}，短缺{shortfall}。"
TASK_GONE = "这个配送任务已经处理过了。"
NO_PLATE = "无"

# Officials in the bot.
ONLY_AREA_OFFICIALS = "封控区只能由所在县区或市里的官员宣布、指定保供企业和解封。"
DECLARE_USAGE = ("用法：/declare 名称 乡镇街道 级别 [小区1,小区2]\n"
                 "例如：/declare 建设路小区 宝丰县张八桥镇 封控区 建设路小区,幸福里")
DESIGNATE_USAGE = "用法：/designate 封控区编号 保供企业编号或名称"
RECEIVER_USAGE = "用法：/receiver 封控区编号 收货人TelegramID 收货点"
BAD_REGION = "不认识的乡镇街道：{region}"
AREA_LINE = ("#{id} {name}（{level}，{place}，{start}起）小区：{compounds}；"
             "保供企业{suppliers}家，收货人{receivers}人")
AREAS_HEAD = "{area}的封控区（{count}个）："
AREAS_NONE = "{area}目前没有封控区。"
DECLARED = "已宣布：{line}"
DESIGNATED = "已指定{supplier}为{name}的保供企业。"
RECEIVER_SET = "已登记{user}为{name}的收货人，收货点：{point}。"
LIFT_BUTTON = "解封 #{id}"
LIFTED = "{name}已解封：{count}条求购回到公开市场。"

# The officials' digest.
DIGEST_HEADING = "🚧 封控区配送（{areas}个封控区，任务{tasks}个，待送{open}个，超时{late}个）："
DIGEST_AREA = ("· {name}（{level}）：待发车{assigned}、已发车{dispatched}、已签收{received}；"
               "应送{quantity}，实收{received_quantity}{shortfall}{late}")
DIGEST_SHORTFALL = "，短缺{amount}"
DIGEST_LATE = "，⏰超时{count}个"
DIGEST_LATE_TASK = "  ⏰ 任务 #{id}：{product} {amount}→{point}（{status}）"
