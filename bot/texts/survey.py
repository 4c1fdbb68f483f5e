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
