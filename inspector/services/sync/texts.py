"""What a person reads about a sync: the Chinese names of records and fields, the server's reason
codes in Chinese, and the messages a run ends with."""

from __future__ import annotations

from sync.contract import Reason, is_reason

FIELD_NAMES = {
    "name": "单位名称",
    "address": "地址",
    "industry": "行业",
    "supervision_level": "监管分级",
    "risk_colour": "风险等级",
    "tags": "标签",
    "legal_rep": "法定代表人（负责人）",
    "contact_name": "联系人",
    "contact_phone": "联系电话",
    "lat": "纬度",
    "lon": "经度",
    "status": "状态",
    "credit_code": "统一社会信用代码",
    "township_id": "乡镇（街道）",
    "grid_id": "网格",
    "unit_id": "所属单位",
    "inspection_id": "所属检查",
    "hazard_id": "所属隐患",
    "document_id": "所属文书",
    "blob_refs": "附件",
}
REASONS: dict[Reason, str] = {  # every code of sync.contract.Reason
    "idempotency_key_reused": "服务器已收到同一编号但内容不同的提交，本条未被接受",
    "payload_hash_mismatch": "提交内容的校验值不符，本条未被接受",
    "invalid_text": "内容含有无效字符",
    "unknown_entity": "服务器不认识这类记录",
    "unsupported_kind": "服务器不支持这种修改方式",
    "malformed": "记录格式不正确",
    "invalid_value": "内容有无效的值",
    "out_of_scope": "该单位不在您的辖区内，无权提交",
    "deleted": "单位已在服务器删除，本地修改保留",
    "exists": "服务器上已有同一编号的单位",
    "duplicate_credit_code": "该统一社会信用代码已登记在服务器上的另一个单位名下",
    "forbidden": "您的角色无权提交这类记录",
    "immutable": "文书已签发，内容不能再更改",
    "not_owner": (
        "该记录由其他人员创建，只有创建者本人（在创建它的设备上）可以修改；本次修改未被服务器接受"
    ),
    "not_assignee": "该任务已分派给其他人员，只有被分派的人员可以办理；本次办理未被服务器接受",
    "constraint": "与服务器上的数据相抵触",
    "field_conflict": "部分内容已在服务器上被他人修改，保留了服务器的值，本机的值已记入冲突待处理",
    "missing_blobs": "附件尚未完整上传，下次同步时重试",
    "missing_parent": "所属的检查或文书尚未上传，下次同步时重试",
}
NOT_SIGNED_IN = "尚未登录同步服务器，请先登录。"
UNAUTHORIZED = "登录已失效，请重新登录后再同步。已保存的记录不受影响。"
TOO_OLD = "本程序版本过旧，服务器要求升级后才能同步。已保存的记录不受影响。"
CANCELLED = "同步已取消。已完成的部分已保存，下次同步会接着进行。"


def reason_text(reason: str | None) -> str:
    """A server reason (e.g. ``invalid_value:contact_phone``) in Chinese."""
    if not reason:
        return ""
    head, _, tail = reason.partition(":")
    if head == "field_conflict" and tail:
        fields = "、".join(FIELD_NAMES.get(f, f) for f in tail.split(",") if f)
        return f"{fields}已在服务器上被他人修改，保留了服务器的值，本机的值已记入冲突待处理"
    if head == "invalid_value" and tail:
        return f"「{FIELD_NAMES.get(tail, tail)}」的值无效"
    if head in ("applied", "conflict", "rejected", "retry") and tail:
        return reason_text(tail)  # a duplicate's stored first answer
    return REASONS[head] if is_reason(head) else f"服务器未接受（{reason}）"
