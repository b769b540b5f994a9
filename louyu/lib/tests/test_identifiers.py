import pytest
from django.core.exceptions import ValidationError

from louyu.lib.identifiers import credit_code_normalize, validate_credit_code

# GB 32100's worked example.
EXAMPLE = "91350100M000100Y43"


class CreditCodeTests:
    def test_it_accepts_the_standards_example(self):
        assert credit_code_normalize(EXAMPLE) == EXAMPLE

    def test_it_normalises_lower_case_spaces_and_dashes(self):
        assert credit_code_normalize(" 91350100m000100y43 ") == EXAMPLE
        assert credit_code_normalize("9135-0100-M000100Y43") == EXAMPLE

    @pytest.mark.parametrize(
        "value",
        [
            "91350100M000100Y4Z",  # the standard's misprinted check character
            "91350100M000100Y44",  # wrong check digit
            "91350100M000100Y4",  # too short
            "91350100M0001O0Y43",  # O is not in the alphabet
            "",
        ],
    )
    def test_it_rejects_bad_codes(self, value):
        with pytest.raises(ValidationError):
            credit_code_normalize(value)

    def test_the_field_validator_wants_the_stored_form(self):
        validate_credit_code(EXAMPLE)
        with pytest.raises(ValidationError):
            validate_credit_code(EXAMPLE.lower())
