from abri.accounts.numbers import (
    generate_customer_number,
    is_valid_customer_number,
    normalize_customer_number,
    with_check_character,
)


def test_demo_numbers_have_valid_check_characters():
    assert with_check_character("DEMO0001") == "DEMO0001G"
    assert with_check_character("DEMO0002") == "DEMO0002E"


def test_case_and_spaces_are_forgiven():
    assert normalize_customer_number(" demo 0001-g ") == "DEMO0001G"
    assert is_valid_customer_number("demo0001g")


def test_single_typo_is_caught():
    assert not is_valid_customer_number("DEMO0001H")
    assert not is_valid_customer_number("DEMO0011G")
    assert not is_valid_customer_number("DEMO001G")
    assert not is_valid_customer_number("DÉMO0001G")


def test_generated_numbers_are_valid():
    for _ in range(200):
        assert is_valid_customer_number(generate_customer_number())
