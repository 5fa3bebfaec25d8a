"""公民身份号码 (GB 11643-1999): the check digit, the birth date, the old 15-digit numbers."""

from __future__ import annotations

from datetime import date

from inspector.domain.idcard import check_digit, problem

TODAY = date(2026, 12, 6)


def test_the_review_example_fails_and_the_message_names_the_expected_digit() -> None:
    assert (
        problem("360733198001011234", TODAY)
        == "身份证号 360733198001011234 的校验位应为 2，请核对。"
    )
    assert problem("360733198001011232", TODAY) is None


def test_published_examples_and_an_x_check_digit() -> None:
    # GB 11643-1999's own example and a number whose check character is X
    assert check_digit("11010519491231002") == "X"
    assert problem("11010519491231002X", TODAY) is None
    assert problem("11010519491231002x", TODAY) is None  # lower case is a typing slip, accepted
    assert problem("１１０１０５１９４９１２３１００２Ｘ", TODAY) is None  # full-width digits
    assert problem("110105194912310021", TODAY) == (
        "身份证号 110105194912310021 的校验位应为 X，请核对。"
    )


def test_birth_date_length_and_old_numbers() -> None:
    assert "出生日期 19800231 不是有效日期" in (problem("360733198002311234", TODAY) or "")
    future = "36073320300101" + "0001"
    assert "出生日期 20300101 不合理" in (problem(future, TODAY) or "")
    assert "应为18位" in (problem("36073319800101123", TODAY) or "")
    assert "15位的旧号码" in (problem("360733800101123", TODAY) or "")
