"""What a person calls each kind of record, each audit event and each network failure.

One table for every place a person sees one — the sync page, the conflicts inbox, the audit and
verify messages — so no internal word ("owntask", "hazardreport", "document.issued",
"ConnectError") reaches the screen. A kind missing here is said as 记录, never as its code.
"""

from __future__ import annotations

from inspector.domain.hazard_loop import HazardStep

RECORD_NAMES: dict[str, str] = {
    # made on a device and pushed (sync.contract.DEVICE_ENTITIES, SHARED_ENTITIES)
    "inspection": "检查记录",
    "item_result": "检查项结果",
    "hazard": "隐患",
    "hazardevent": "隐患处理记录",
    "photo": "照片",
    "document": "文书",
    "signature": "签名",
    "patrol": "巡查记录",
    "patrolvisit": "巡查走访记录",
    "hazardreport": "隐患上报",
    "taskstep": "任务办理记录",
    "owntask": "自行安排的任务",
    "unit": "单位",
    # pulled from the server (sync.contract.PULLED_ENTITIES)
    "agency": "执法机关",
    "user": "人员",
    "township": "乡镇",
    "grid": "网格",
    "checklist": "检查表",
    "numberblock": "文书号段",
    "task": "任务",
    "hazardstate": "隐患状态",
    # named only in the audit chain
    "store": "本机数据",
}
UNKNOWN_RECORD = "记录"

AUDIT_EVENT_NAMES: dict[str, str] = {
    "inspection.started": "开始检查",
    "inspection.edited": "修改检查记录",
    "inspection.finished": "完成检查",
    "inspection.reopened": "重新打开检查",
    "item.marked": "记录检查项结果",
    "item.noted": "填写检查项说明",
    "hazard.drafted": "记录隐患",
    "hazard.edited": "修改隐患",
    "hazard.withdrawn": "撤销隐患",
    "hazard.restored": "恢复隐患",
    "hazard.merged": "同步隐患状态",
    "photo.added": "添加照片",
    "photo.rotated": "旋转照片",
    "photo.removed": "移除照片",
    "document.issued": "签发文书",
    "document.rendered": "生成文书",
    "document.voided": "作废文书",
    "document.printed": "打印文书",
    "document.signed_on_paper": "登记手写签名",
    "numbers.block_loaded": "导入文书号段",
    "patrol.started": "开始巡查",
    "patrol.visit_added": "记录巡查走访",
    "patrol.visit_changed": "修改巡查走访",
    "patrol.finished": "完成巡查",
    "patrol.discarded": "放弃巡查",
    "report.filed": "上报隐患",
    "task.own": "自行安排任务",
    "task.step": "办理任务",
    "unit.edited": "修改单位信息",
    "store.split": "按人员分开本机数据",
    **{f"hazard.{step.value}": f"隐患{step.label}" for step in HazardStep},
}

# httpx's transport failures by class name (the domain does not import httpx), most specific first
NETWORK_PROBLEMS: dict[str, str] = {
    "ConnectTimeout": "连接服务器超时",
    "ConnectError": "连不上服务器",
    "ReadTimeout": "服务器长时间没有回应",
    "WriteTimeout": "发送数据超时",
    "PoolTimeout": "连接繁忙超时",
    "TimeoutException": "连接超时",
    "ReadError": "接收数据时连接断开",
    "WriteError": "发送数据时连接断开",
    "RemoteProtocolError": "服务器的回应不完整",
    "LocalProtocolError": "请求无法发送",
    "ProxyError": "代理服务器出错",
    "UnsupportedProtocol": "服务器地址不正确",
    "NetworkError": "网络出错",
    "ProtocolError": "通信出错",
    "TransportError": "网络出错",
}


def record_name(kind: str) -> str:
    """ "照片" for "photo"; 记录 for a kind this table does not know (never the code itself)."""
    return RECORD_NAMES.get(kind, UNKNOWN_RECORD)


def event_name(kind: str) -> str:
    """ "签发文书" for "document.issued"; an unknown event is named after its record kind."""
    if kind in AUDIT_EVENT_NAMES:
        return AUDIT_EVENT_NAMES[kind]
    return f"{record_name(kind.partition('.')[0])}的变更"


def network_problem(exc: BaseException) -> str:
    """What went wrong on the network, in words ("连不上服务器"), from the failure's class."""
    for cls in type(exc).__mro__:
        if cls.__name__ in NETWORK_PROBLEMS:
            return NETWORK_PROBLEMS[cls.__name__]
    return "网络出错"
