"""Settings of the Louyu server under benchmark: the product's settings, plus the B0 route."""

from louyu.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
