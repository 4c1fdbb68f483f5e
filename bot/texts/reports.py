"""What /report says when it cannot tell which report is meant."""

WHICH_REPORT = (
    "您既是门店店长，也是监测点报价员：报门店库存请发 /stockreport，"
    "报监测点价格请发 /pricereport。"
)
NOTHING_TO_REPORT = (
    "您还不是监测点的报价员，也不是门店的店长：报价员请向工作人员要监测点链接；"
    "门店的店长由商务部门登记（按店长电话关联）。"
)
