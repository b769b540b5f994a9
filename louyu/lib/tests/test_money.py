from decimal import Decimal

from louyu.lib.money import SQUARE_METRES_PER_MU, ratio, to_wan, to_yi, yuan


class MoneyTests:
    def test_it_rounds_half_up_to_the_fen(self):
        assert yuan("1.005") == Decimal("1.01")
        assert yuan(3) == Decimal("3.00")

    def test_it_shows_wan_and_yi(self):
        assert to_yi(Decimal("6270000000")) == Decimal("62.70")
        assert to_wan(Decimal("12345678")) == Decimal("1234.57")

    def test_a_ratio_of_nothing_is_no_figure(self):
        assert ratio(1, 0) is None
        assert ratio(1, 3) == Decimal("0.3333")

    def test_a_mu_is_a_fifteenth_of_a_hectare(self):
        assert SQUARE_METRES_PER_MU.quantize(Decimal("0.01")) == Decimal("666.67")
