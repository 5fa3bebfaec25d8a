"""The hazard closed loop (隐患闭环) as a fold over append-only steps.

A hazard's status is never written by hand: every step (登记, 责令整改, 复查合格/不合格, 销号, 挂牌督办)
is an event with its own id, and the status is what the events, in time order, add up to. Two devices
that each add a step therefore never overwrite each other; a sequence that the rules do not allow
(e.g. 销号 before a passed 复查) is kept, not dropped, and reported as an anomaly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from inspector.domain.enums import HazardStatus


class HazardStep(StrEnum):
    REGISTERED = "registered"  # 登记 (the inspection was finished)
    ORDERED = "ordered"  # 责令整改 (an order or decision with a deadline was issued)
    REVIEW_PASSED = "review_passed"  # 复查合格
    REVIEW_FAILED = "review_failed"  # 复查不合格
    CLOSED = "closed"  # 销号
    SUPERVISED = "supervised"  # 挂牌督办
    UNSUPERVISED = "unsupervised"  # 解除督办
    ORDER_VOIDED = "order_voided"  # the order naming it was voided
    REVIEW_VOIDED = (
        "review_voided"  # the 复查意见书 that judged it was voided: back under its order
    )

    @property
    def label(self) -> str:
        return {
            "registered": "登记",
            "ordered": "责令整改",
            "review_passed": "复查合格",
            "review_failed": "复查不合格",
            "closed": "销号",
            "supervised": "挂牌督办",
            "unsupervised": "解除督办",
            "order_voided": "整改文书作废",
            "review_voided": "复查意见书作废",
        }[self.value]


# status → the steps allowed from it, and where each leads
_S = HazardStatus
_NEXT: dict[HazardStatus, dict[HazardStep, HazardStatus]] = {
    _S.DRAFT: {HazardStep.REGISTERED: _S.PENDING},
    _S.PENDING: {
        HazardStep.ORDERED: _S.RECTIFYING,
        HazardStep.REVIEW_PASSED: _S.REVIEWED_OK,
        HazardStep.REVIEW_FAILED: _S.REVIEWED_FAILED,
    },
    _S.RECTIFYING: {
        HazardStep.ORDERED: _S.RECTIFYING,
        HazardStep.REVIEW_PASSED: _S.REVIEWED_OK,
        HazardStep.REVIEW_FAILED: _S.REVIEWED_FAILED,
        HazardStep.ORDER_VOIDED: _S.PENDING,
        HazardStep.REVIEW_VOIDED: _S.RECTIFYING,  # a failed 复查's re-order voided with it
    },
    _S.REVIEWED_FAILED: {
        HazardStep.ORDERED: _S.RECTIFYING,
        HazardStep.REVIEW_PASSED: _S.REVIEWED_OK,
        HazardStep.REVIEW_FAILED: _S.REVIEWED_FAILED,
        HazardStep.REVIEW_VOIDED: _S.RECTIFYING,
    },
    _S.REVIEWED_OK: {HazardStep.CLOSED: _S.CLOSED, HazardStep.REVIEW_VOIDED: _S.RECTIFYING},
    _S.CLOSED: {HazardStep.REVIEW_VOIDED: _S.RECTIFYING},  # a 销号 made by a voided 复查
    _S.WITHDRAWN: {},
}
_FLAG_STEPS = (HazardStep.SUPERVISED, HazardStep.UNSUPERVISED)


@dataclass(frozen=True)
class Step:
    kind: HazardStep
    deadline: date | None = None


@dataclass
class LoopState:
    status: HazardStatus = HazardStatus.DRAFT
    deadline: date | None = None
    supervised: bool = False
    anomalies: list[str] = field(default_factory=list)

    def display(self, today: date) -> str:
        """The label a person reads: 逾期 when the deadline has passed and the work is not done."""
        if self.overdue(today):
            return "逾期"
        return self.status.label

    def overdue(self, today: date) -> bool:
        return (
            self.status in (_S.PENDING, _S.RECTIFYING, _S.REVIEWED_FAILED)
            and self.deadline is not None
            and self.deadline < today
        )


def allowed(status: HazardStatus, step: HazardStep) -> bool:
    if step in _FLAG_STEPS:
        return status not in (_S.CLOSED, _S.WITHDRAWN, _S.DRAFT)
    return step in _NEXT.get(status, {})


def apply(state: LoopState, step: Step) -> LoopState:
    """The state after one step; an impossible step is recorded as an anomaly and changes nothing
    but the flag or deadline it carries."""
    if step.kind == HazardStep.SUPERVISED:
        state.supervised = True
        return state
    if step.kind == HazardStep.UNSUPERVISED:
        state.supervised = False
        return state
    target = _NEXT.get(state.status, {}).get(step.kind)
    if target is None:
        state.anomalies.append(f"{state.status.label}时不应有“{step.kind.label}”")
        return state
    state.status = target
    if step.deadline is not None:
        state.deadline = step.deadline
    if target == _S.CLOSED:
        state.supervised = False
    return state


def fold(steps: Iterable[Step], start: LoopState | None = None) -> LoopState:
    state = start if start is not None else LoopState()
    for step in steps:
        state = apply(state, step)
    return state


# who, besides the hazard's creator, may take each step on it: the agency's supervisor and the
# assignee of an open task at its unit (sync.contract's ownership grants)
_SUPERVISOR_STEPS = frozenset({HazardStep.SUPERVISED, HazardStep.UNSUPERVISED, HazardStep.CLOSED})
_ASSIGNEE_STEPS = frozenset(
    {
        HazardStep.ORDERED,
        HazardStep.REVIEW_PASSED,
        HazardStep.REVIEW_FAILED,
        HazardStep.CLOSED,
        HazardStep.ORDER_VOIDED,
        HazardStep.REVIEW_VOIDED,
    }
)


def may_take_step(
    step: str, *, creator: bool, supervisor: bool, assignee: bool, supervised: bool
) -> bool:
    """Whether a person may add this step to a hazard: its creator any step; a supervisor
    挂牌督办, 解除督办 and 销号; the assignee of a task at its unit the 复查 steps (re-ordering,
    voiding their own order or 复查意见书) and 销号 — unless the hazard is 挂牌督办, whose 销号 is
    the supervisor's. 登记 is the creator's alone."""
    if creator:
        return True
    try:
        kind = HazardStep(step)
    except ValueError:
        return False
    if supervisor and kind in _SUPERVISOR_STEPS:
        return True
    if not assignee or kind not in _ASSIGNEE_STEPS:
        return False
    return not (kind == HazardStep.CLOSED and supervised)


# the step whose fold leaves a hazard in each status (the one a person other than its creator
# can have taken to get there; 登记 and 撤销 are the creator's)
_STEP_TO = {
    _S.PENDING: HazardStep.ORDER_VOIDED,
    _S.RECTIFYING: HazardStep.ORDERED,
    _S.REVIEWED_OK: HazardStep.REVIEW_PASSED,
    _S.REVIEWED_FAILED: HazardStep.REVIEW_FAILED,
    _S.CLOSED: HazardStep.CLOSED,
}


def steps_behind(before: LoopState, after: LoopState) -> list[HazardStep] | None:
    """The steps that change a hazard's loop state from `before` to `after` (its status, deadline
    and 挂牌督办 flag), as far as a person other than its creator can have taken them; None
    when no such steps lead there. With `may_take_step`, what decides whether that person may
    write the hazard's new state."""
    steps: list[HazardStep] = []
    if after.status != before.status:
        step = _STEP_TO.get(after.status)
        if step is None:
            return None
        steps.append(step)
    elif after.deadline != before.deadline:
        steps.append(HazardStep.ORDERED)
    if after.supervised != before.supervised and not (
        after.status == _S.CLOSED and not after.supervised
    ):
        steps.append(HazardStep.SUPERVISED if after.supervised else HazardStep.UNSUPERVISED)
    return steps


def refusal(status: HazardStatus, step: HazardStep) -> str:
    """Why a person cannot take this step now (Chinese, for the message bar)."""
    if step == HazardStep.CLOSED and status != _S.REVIEWED_OK:
        return f"该隐患当前为“{status.label}”，须经复查合格后才能销号。"
    if step in _FLAG_STEPS:
        return f"该隐患当前为“{status.label}”，不能{step.label}。"
    return f"该隐患当前为“{status.label}”，不能进行“{step.label}”。"
