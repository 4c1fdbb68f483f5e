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
