import random

import pytest

from inspector.domain import creditcode
from inspector.domain.errors import UserError


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110000600037341L", "91440300708461136T"])
def test_known_valid_codes(code: str) -> None:
    assert creditcode.validate(code).code == code


def test_typing_slips_are_normalised() -> None:
    assert (
        creditcode.validate(" ９１３５０１００ｍ０００１００ｙ４３ ").code == "91350100M000100Y43"
    )


def test_wrong_check_character_names_the_expected_one() -> None:
    with pytest.raises(UserError) as err:
        creditcode.validate("91350100M000100Y44")
    assert "最后一位应为 3" in err.value.message


def test_wrong_length_and_letters() -> None:
    with pytest.raises(UserError, match="18位"):
        creditcode.validate("9135010")
    with pytest.raises(UserError, match="不允许的字符"):
        creditcode.validate("91350100M000100I43")


def test_generated_codes_validate() -> None:
    rng = random.Random(1)
    for _ in range(500):
        assert creditcode.is_valid(creditcode.make_code(rng, "360431"))
